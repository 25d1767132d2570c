// A real OpenID Connect provider for the console's tests: oidc-provider (a certified
// implementation) with its development log-in pages, where any login name signs in
// as the account of that name (claims: sub, email <name>@example.org, name).
//
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The e-mail claim in the ID token itself, which the console reads.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@example.org`, email_verified: true, name: id }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['only-for-tests'] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`listening ${issuer}`));
