// Sends N Snowplow events with @snowplow/node-tracker (unmodified) to a collector, the key in a
// custom Authorization header. usage: node snowplow_node.mjs HOST PORT KEY N  -> prints {"ids", "failures"}
import { newTracker, buildPageView, buildSelfDescribingEvent } from '@snowplow/node-tracker';

const [host, port, key, n] = process.argv.slice(2);
const failures = [];
let settled = 0;  // events whose request was answered either way
const tracker = newTracker({ namespace: 'node', appId: 'node-backend' }, {
  endpoint: host, protocol: 'http', port: Number(port), bufferSize: 5,
  customHeaders: { Authorization: `Bearer ${key}` },
  onRequestFailure: (f) => { failures.push(f.status ?? 'network'); settled += f.events.length; },
  onRequestSuccess: (batch) => { settled += batch.length; },
});
tracker.setUserId('node-user');
const ids = [];
for (let i = 0; i < Number(n); i++) {
  const event = i % 2 === 0
    ? buildPageView({ pageUrl: `https://shop/n/${i}`, pageTitle: 'Node page' })
    : buildSelfDescribingEvent({ event: { schema: 'iglu:com.acme/signup/jsonschema/1-0-0', data: { plan: 'pro', seats: i } } });
  const payload = tracker.track(event);
  ids.push(payload.eid);
}
await tracker.flush();
// The callbacks run after flush() resolves: wait for every event's answer (10 s at most).
for (let waited = 0; settled < ids.length && waited < 10000; waited += 50) await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({ ids, failures }));
