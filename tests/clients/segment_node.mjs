// Sends N Segment track calls with @segment/analytics-node (unmodified) to a collector.
// usage: node segment_node.mjs URL WRITE_KEY PREFIX N  -> prints {"errors": [...]} as JSON
import { Analytics } from '@segment/analytics-node';

const [url, writeKey, prefix, n] = process.argv.slice(2);
const analytics = new Analytics({ writeKey, host: url, maxRetries: 1, flushAt: 20, flushInterval: 200 });
const errors = [];
analytics.on('error', (err) => errors.push(String(err.code || err.message || err)));
for (let i = 0; i < Number(n); i++) {
  analytics.track({ userId: `node-u${i % 3}`, event: 'Product Viewed', messageId: `${prefix}-${i}`,
                    properties: { sku: `sku-${i}`, price: 9.99, tags: ['a', 'b'], nested: { deep: true } } });
}
await analytics.closeAndFlush({ timeout: 20000 });
console.log(JSON.stringify({ errors }));
