// A real OpenID Connect provider for the log-in tests: the npm package oidc-provider (an
// OpenID-certified implementation, pinned in package.json) on 127.0.0.1. Started and stopped by
// tests/e2e/test_oidc.py; never part of the app.
//
//   node tests/js/oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Prints one line "ready <issuer>" when it listens. Accounts (any password; the provider's own
// development log-in form): anna (groups mapapp-polis), cecilia (mapapp-lasare, mapapp-admin),
// bertil (a group that gives no role in the map).
//
// A test may ask the token endpoint to hand out a bad ID token, to see that the app refuses it:
//   POST /__test/id_token/expired   signed correctly with the provider's key, but expired
//   POST /__test/id_token/tampered  a claim changed after signing (groups -> mapapp-admin)
//   POST /__test/id_token/ok        back to normal
import { createServer } from 'node:http';

import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from 'jose';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error('usage: oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  anna: { email: 'anna.andersson@stad.example', name: 'Anna Andersson', groups: ['mapapp-polis'] },
  cecilia: { email: 'cecilia@stad.example', name: 'Cecilia C', groups: ['mapapp-lasare', 'mapapp-admin'] },
  bertil: { email: 'bertil@stad.example', name: 'Bertil B', groups: ['ekonomi'] },
};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
const signingKey = await importJWK(jwk, 'RS256');

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['mapapp-test-cookie-key-not-secret'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  // The claims of the requested scopes go into the ID token (Streamlit reads them from there).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, email_verified: true, ...account }; } };
  },
  // A first-party client: the user is not asked to consent to the scopes.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

let badToken = 'ok';

function b64json(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || badToken === 'ok' || !ctx.body || !ctx.body.id_token) return;
  const [head, payload, signature] = ctx.body.id_token.split('.');
  const claims = b64json(payload);
  if (badToken === 'tampered') {
    claims.groups = ['mapapp-admin'];
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    ctx.body = { ...ctx.body, id_token: `${head}.${forged}.${signature}` };
  } else if (badToken === 'expired') {
    const now = Math.floor(Date.now() / 1000);
    const { kid, alg } = decodeProtectedHeader(ctx.body.id_token);
    const token = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 })
      .setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(signingKey);
    ctx.body = { ...ctx.body, id_token: token };
  }
});

const callback = provider.callback();
const server = createServer((req, res) => {
  const m = req.method === 'POST' && req.url.match(/^\/__test\/id_token\/(ok|expired|tampered)$/);
  if (m) {
    badToken = m[1];
    res.writeHead(204).end();
    return;
  }
  callback(req, res);
});
server.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
