// Verifies a webhook request as the Standard Webhooks specification says, with Node's crypto
// only: nothing here is shared with the broker's Java. Arguments: the secret (whsec_...), the
// webhook-id, webhook-timestamp and webhook-signature headers, and a file holding the body.
// Prints "verified" and exits 0 when one v1 signature matches and the timestamp is within
// five minutes; exits 1 otherwise.
const crypto = require('crypto');
const fs = require('fs');

const [secret, id, timestamp, signatures, bodyFile] = process.argv.slice(2);
const key = Buffer.from(secret.startsWith('whsec_') ? secret.substring(6) : secret, 'base64');
const body = fs.readFileSync(bodyFile);
const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
const matches = signatures.split(' ').some(part => {
  const comma = part.indexOf(',');
  if (part.substring(0, comma) !== 'v1') {
    return false;
  }
  const given = Buffer.from(part.substring(comma + 1), 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
});
const fresh = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) <= 300;
console.log(matches && fresh ? 'verified' : (matches ? 'stale timestamp' : 'no signature matches'));
process.exit(matches && fresh ? 0 : 1);
