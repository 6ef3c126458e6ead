"""File storage behind one interface, the local folder or an S3-compatible bucket.

The bucket is a real S3 HTTP endpoint (moto's server on a free port of 127.0.0.1) shared by two
application instances on one database, as two app servers would share MinIO or OSS.
"""

from __future__ import annotations

import io
import os
import uuid

import pytest

from supervision import create_app
from supervision.extensions import db
from supervision.models import Attachment
from supervision.services.attachments import attachment_key
from supervision.storage import LocalStorage, S3Storage, storage

from . import factories
from .conftest import Client
from .test_tasks import png_bytes

SHARED = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "MAX_UPLOAD_MB", "PASSWORD_HASH_METHOD")


def test_local_storage_round_trip(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("ab/abc", b"hello")
    store.put("exports/1/x.xlsx", io.BytesIO(b"x" * 3_000_000))  # a stream is copied in chunks
    assert store.exists("ab/abc") and store.size("exports/1/x.xlsx") == 3_000_000
    with store.open("ab/abc") as stream:
        assert stream.read() == b"hello"
    assert list(store.iter_keys()) == ["ab/abc", "exports/1/x.xlsx"]
    assert list(store.iter_keys("exports/")) == ["exports/1/x.xlsx"]
    store.delete("ab/abc")
    store.delete("ab/abc")  # deleting what is gone is no error
    assert not store.exists("ab/abc")
    for bad in ("../x", "/etc/passwd", "a//b", "a/./b", ""):
        with pytest.raises(ValueError):
            store.put(bad, b"x")


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("moto", reason="moto[server] (requirements-dev.txt) is the test's S3 peer")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_config(s3_endpoint, tmp_path):
    config = {
        "S3_ENDPOINT": s3_endpoint,
        "S3_BUCKET": f"test-{uuid.uuid4().hex[:12]}",
        "S3_ACCESS_KEY": "test-access",
        "S3_SECRET_KEY": "test-secret",
        "S3_REGION": "us-east-1",
    }
    S3Storage(
        endpoint=s3_endpoint,
        bucket=config["S3_BUCKET"],
        access_key="test-access",
        secret_key="test-secret",
        region="us-east-1",
    ).client.create_bucket(Bucket=config["S3_BUCKET"])
    return config


@pytest.fixture
def s3_servers(app, s3_config, tmp_path, real_commits):
    """Two app servers on the test database and one bucket, each with its own (empty) local folder."""
    servers = []
    for n in range(2):
        server = create_app(
            {
                "TESTING": True,
                **{key: app.config[key] for key in SHARED},
                **s3_config,
                "UPLOAD_DIR": str(tmp_path / f"server{n}"),
            }
        )
        server.test_client_class = Client
        servers.append(server)
    yield servers
    for server in servers:
        with server.app_context():
            db.engine.dispose()


def test_upload_on_one_server_download_on_the_other(s3_servers, make_user, tmp_path):
    first, second = s3_servers
    lead = make_user("lead")
    task = factories.TaskFactory(status="active")
    db.session.commit()
    data = png_bytes()
    one = first.test_client()
    one.login_user(lead)
    response = one.post_form(f"/tasks/{task.id}/files", {"files": (io.BytesIO(data), "现场照片.png")})
    assert response.status_code == 302
    attachment = db.session.query(Attachment).filter_by(owner_type="task", owner_id=task.id).one()
    assert not (tmp_path / "server0").exists()  # nothing on the first server's disk
    two = second.test_client()
    two.login_user(lead)
    download = two.get(f"/files/{attachment.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == "image/png"
    with second.app_context():
        assert list(storage().iter_keys()) == [attachment_key(attachment)]
    # Still behind the permission check: a liaison of another unit gets a 404, from either server.
    outsider = make_user("liaison", unit=factories.UnitFactory())
    two.login_user(outsider)
    assert two.get(f"/files/{attachment.id}").status_code == 404


def test_storage_migrate_copies_the_folder_once(app, s3_config, tmp_path):
    folder = tmp_path / "uploads"
    local = LocalStorage(folder)
    local.put("ab/ab12", b"first file")
    local.put("cd/cd34", b"second file")
    server = create_app(
        {"TESTING": True, **{key: app.config[key] for key in SHARED}, **s3_config, "UPLOAD_DIR": str(folder)}
    )
    runner = server.test_cli_runner()

    def invoke(*args):
        with server.app_context():  # the command runs in this server's context, not the test's app
            return runner.invoke(args=list(args))

    result = invoke("storage", "migrate")
    assert result.exit_code == 0, result.output
    assert "已复制 2 个文件" in result.output
    with server.app_context():
        bucket = storage()
        assert sorted(bucket.iter_keys()) == ["ab/ab12", "cd/cd34"]
        assert bucket.open("cd/cd34").read() == b"second file"
    local.put("ef/ef56", b"a file added since")
    result = invoke("storage", "migrate")
    assert "已复制 1 个文件" in result.output and "跳过已存在的 2 个" in result.output
    # The backup copies the attachments out of the bucket (and leaves generated exports out).
    with server.app_context():
        storage().put("exports/9/台账.xlsx", b"generated")
    result = invoke("backup", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "backups").iterdir()
    assert sorted(LocalStorage(copy / "uploads").iter_keys()) == ["ab/ab12", "cd/cd34", "ef/ef56"]
    with server.app_context():
        db.engine.dispose()


def test_storage_migrate_needs_a_bucket(app, tmp_path):
    server = create_app(
        {"TESTING": True, **{key: app.config[key] for key in SHARED}, "UPLOAD_DIR": str(tmp_path)}
    )
    with server.app_context():
        result = server.test_cli_runner().invoke(args=["storage", "migrate"])
    assert result.exit_code != 0 and "S3_ENDPOINT" in result.output


def test_an_export_body_is_spooled_and_put_into_the_bucket_whole(app, s3_config):
    """The job runner copies a route's body to a temporary file (on disk past SPOOL_BYTES) and
    streams that into the store: the bucket gets every byte."""
    from supervision.services.export_jobs import SPOOL_BYTES, _spooled
    from supervision.views.helpers import XLSX_MIME, download

    data = os.urandom(SPOOL_BYTES + 1_000_003)
    bucket = S3Storage(
        endpoint=s3_config["S3_ENDPOINT"],
        bucket=s3_config["S3_BUCKET"],
        access_key="test-access",
        secret_key="test-secret",
        region="us-east-1",
    )
    with app.test_request_context("/"):
        body = _spooled(download(data, "台账.xlsx", XLSX_MIME))
    with body:
        assert body.tell() == len(data) and body._rolled  # past the limit it waits on disk
        body.seek(0)
        bucket.put("exports/1/台账.xlsx", body)
    with bucket.open("exports/1/台账.xlsx") as stored:
        assert stored.read() == data
