"""One blueprint per area; blueprint name = URL prefix = template folder."""

from .account import bp as account_bp
from .admin import bp as admin_bp
from .auth import bp as auth_bp
from .dashboard import bp as dashboard_bp
from .exports import bp as exports_bp
from .files import bp as files_bp
from .inspectors import bp as inspectors_bp
from .main import bp as main_bp
from .notices import bp as notices_bp
from .registers import bp as registers_bp
from .reviews import bp as reviews_bp
from .scorecards import bp as scorecards_bp
from .search import bp as search_bp
from .suggest import bp as suggest_bp
from .tasks import bp as tasks_bp

BLUEPRINTS = [
    auth_bp,
    main_bp,
    account_bp,
    admin_bp,
    files_bp,
    exports_bp,
    tasks_bp,
    inspectors_bp,
    notices_bp,
    reviews_bp,
    scorecards_bp,
    dashboard_bp,
    registers_bp,
    search_bp,
    suggest_bp,
]
