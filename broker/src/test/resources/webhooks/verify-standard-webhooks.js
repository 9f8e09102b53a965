// Verifies a webhook request with the Standard Webhooks reference library (the npm package
// `standardwebhooks`, pinned in package-lock.json beside this script): nothing here is shared
// with the broker's Java. Arguments: the secret (whsec_...), the webhook-id, webhook-timestamp
// and webhook-signature headers, and a file holding the body. Prints "verified" and exits 0
// when the library accepts the request; otherwise prints why and exits 1.
const { Webhook } = require('standardwebhooks');
const fs = require('fs');

const [secret, id, timestamp, signatures, bodyFile] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures };
try {
  new Webhook(secret).verify(body, headers, { jsonParse: false });
  console.log('verified');
  process.exit(0);
} catch (refused) {
  const why = String(refused.message);
  console.log(why.includes('No matching signature') ? 'no signature matches'
      : (why.includes('timestamp too') ? 'stale timestamp' : why));
  process.exit(1);
}
