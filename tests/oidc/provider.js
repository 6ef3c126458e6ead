// A real OpenID provider for the tests: oidc-provider with one client and two people.
// Started by tests/test_sso_oidc.py: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_URI.
// It listens on 127.0.0.1 only. The dev login form (devInteractions) takes any password.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  wang: { sub: 'wang', preferred_username: 'wang', name: '王芳', employee_no: 'E1001' },
  stranger: { sub: 'stranger', preferred_username: 'stranger', name: '外来人', employee_no: 'E9999' },
};

const configuration = {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: [process.env.POST_LOGOUT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return claims; } };
  },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'employee_no'] },
  features: { devInteractions: { enabled: true } },
  // PKCE for every client, not only public ones.
  pkce: { required: () => true },
  // The first-party client needs no consent screen: grant what it asks for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['test-only-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
