// The manual OAuth2 PKCE implementation from Speckle's documentation ("Getting a token through
// PKCE", steps 1-6), unchanged: the plain-JavaScript reference the benchmark compares with.

// base64url encoding without padding (RFC 4648 §5)
function base64urlEncode(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=/g, '');
}

async function generatePKCEPair() {
  // 32 random bytes → 43-char base64url string (within RFC 7636's 43–128 char range)
  const verifierBytes = new Uint8Array(32);
  crypto.getRandomValues(verifierBytes);
  const codeVerifier = base64urlEncode(verifierBytes);

  // code_challenge = BASE64URL(SHA256(ASCII(codeVerifier)))
  const challengeBytes = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(codeVerifier)
  );
  const codeChallenge = base64urlEncode(new Uint8Array(challengeBytes));

  return { codeVerifier, codeChallenge };
}

async function initiateAuth(serverUrl, appId) {
  const { codeVerifier, codeChallenge } = await generatePKCEPair();

  // Store the verifier – it must be sent back during token exchange
  sessionStorage.setItem('speckle_pkce_verifier', codeVerifier);

  const authUrl =
    `${serverUrl}/authn/verify/${appId}/${codeChallenge}` +
    `&code_challenge_method=S256`;

  window.location.href = authUrl;
}

// Run this on your /callback page
function getAccessCode() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('access_code');

  if (!code) throw new Error('No access_code found in callback URL');
  return code;
}

async function exchangeCodeForToken(serverUrl, appId) {
  const accessCode = getAccessCode();
  const codeVerifier = sessionStorage.getItem('speckle_pkce_verifier');

  if (!accessCode || !codeVerifier) {
    throw new Error('Missing access code or code verifier');
  }

  const response = await fetch(`${serverUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appId, accessCode, codeVerifier }),
  });

  if (!response.ok) {
    throw new Error(`Token exchange failed: ${response.statusText}`);
  }

  return response.json(); // { token, refreshToken }
}

async function handleCallback(serverUrl, appId) {
  const { token, refreshToken } = await exchangeCodeForToken(
    serverUrl,
    appId,
  );

  // Clean up the one-time verifier
  sessionStorage.removeItem('speckle_pkce_verifier');

  // sessionStorage clears when the tab closes.
  // Use localStorage only if you need persistence across sessions.
  sessionStorage.setItem('speckle_token', token);

  return token;
}

async function speckleQuery(serverUrl, query, variables = {}) {
  const token = sessionStorage.getItem('speckle_token');

  const response = await fetch(`${serverUrl}/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });

  return response.json();
}
