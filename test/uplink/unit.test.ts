import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeClock } from '../../src/core/clock.js';
import { HubError } from '../../src/core/errors.js';
import { readingToJson } from '../../src/core/reading.js';
import { Backoff } from '../../src/uplink/backoff.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../src/uplink/canonical-json.js';
import { CommandAuth } from '../../src/uplink/command-auth.js';
import { CommandRouter } from '../../src/uplink/commands.js';
import { buildConnectOptions, checkTransport, isLoopbackHost } from '../../src/uplink/connect-options.js';
import { Drainer, type QoS1Publisher } from '../../src/uplink/drainer.js';
import { makeTopics } from '../../src/uplink/topics.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { makeSigner } from './signing.js';
import { quietLog, reading, uplinkConfig } from './util.js';

describe('backoff', () => {
  it('grows exponentially with jitter inside [min, max] and resets', () => {
    const lo = new Backoff(1000, 60_000, () => 0);
    const hi = new Backoff(1000, 60_000, () => 0.999999);
    const a = Array.from({ length: 10 }, () => lo.next());
    const b = Array.from({ length: 10 }, () => hi.next());
    expect(a.slice(0, 4)).toEqual([1000, 1000, 2000, 4000]);
    expect(b.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    for (const d of [...a, ...b]) { expect(d).toBeGreaterThanOrEqual(1000); expect(d).toBeLessThanOrEqual(60_000); }
    expect(b[9]).toBe(60_000);
    hi.reset();
    expect(hi.next()).toBe(1000);
  });
});

describe('transport check', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', '128.0.0.1', 'broker.example', '::2', '[2001:db8::1]']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('refuses plain mqtt:// and ws:// to a non-loopback host unless allowInsecure', () => {
    for (const url of ['mqtt://broker.example:1883', 'ws://10.1.2.3:9001', 'tcp://192.168.1.5']) {
      expect(() => checkTransport(uplinkConfig({ url }).mqtt)).toThrowError(/HUB0501/);
      expect(() => checkTransport(uplinkConfig({ url, allowInsecure: true }).mqtt)).not.toThrow();
    }
    expect(() => checkTransport(uplinkConfig({ url: 'mqtt://127.0.0.1:1883' }).mqtt)).not.toThrow();
    expect(() => checkTransport(uplinkConfig({ url: 'mqtts://broker.example:8883' }).mqtt)).not.toThrow();
  });

  it('reports unreadable TLS files as a HubError naming the file', () => {
    const cfg = uplinkConfig({ url: 'mqtts://broker.example:8883', ca: '/nonexistent/ca.crt' });
    let err: unknown;
    try { buildConnectOptions({ config: cfg, clientId: 'c', willTopic: 't', will: { v: 1, state: 'offline', t: 'x', version: '1' } }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HubError);
    expect((err as Error).message).toMatch(/\/nonexistent\/ca\.crt.*HUB0502/);
  });

  it('uses a persistent session, LWT and no library reconnects', () => {
    const cfg = uplinkConfig({ url: 'mqtt://127.0.0.1:1883' });
    const o = buildConnectOptions({ config: cfg, clientId: 'carehub-h1', willTopic: 'carehub/h1/status', will: { v: 1, state: 'offline', t: 'x', version: '1' } });
    expect(o).toMatchObject({ protocolVersion: 5, clean: false, reconnectPeriod: 0, clientId: 'carehub-h1', will: { topic: 'carehub/h1/status', qos: 1, retain: true } });
    expect(o.properties?.sessionExpiryInterval).toBe(7 * 24 * 3600);
    // the broker may not send the hub a packet larger than a command request (plus topic room)
    expect(o.properties?.maximumPacketSize).toBe(64 * 1024 + 1024);
    expect(o.properties?.receiveMaximum).toBe(32);
  });
});

describe('topics', () => {
  it('maps names under prefix/hub and recognises command topics', () => {
    const t = makeTopics('acme/care', 'hub-1');
    expect(t.of('alarms/events')).toBe('acme/care/hub-1/alarms/events');
    expect(t.cmdFilter).toBe('acme/care/hub-1/cmd/+');
    expect(t.commandName('acme/care/hub-1/cmd/ping')).toBe('ping');
    expect(t.commandName('acme/care/hub-1/cmd/ping/reply')).toBeNull();
    expect(t.cmdReply('ping')).toBe('acme/care/hub-1/cmd/ping/reply');
  });
});

describe('command router', () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
  const iat = clock.now() / 1000;
  const router = new CommandRouter(quietLog, { clock, hubId: 'h1' });
  router.register('echo', z.strictObject({ text: z.string() }), (a) => ({ echoed: a.text }));
  router.register('boom', z.object({}), () => { throw new Error('kaput'); });
  router.register('look', z.strictObject({}), () => ({ seen: true }), { stateChanging: false });
  const h = (name: string, s: string) => router.handle(name, Buffer.from(s));

  it('answers every kind of bad request with ok:false, never throws', async () => {
    expect(await h('echo', '{not json')).toEqual({ id: null, ok: false, error: 'request is not valid JSON' });
    expect(await h('echo', '[1,2]')).toMatchObject({ id: null, ok: false });
    expect(await h('echo', '{"id":5}')).toMatchObject({ id: '5', ok: false });
    expect(await h('nope', '{"id":"a"}')).toMatchObject({ id: 'a', ok: false, error: 'unknown command "nope"' });
    expect(await h('echo', `{"id":"b","iat":${iat},"text":3}`)).toMatchObject({ id: 'b', ok: false, error: expect.stringMatching(/text/) });
    expect(await h('boom', `{"id":"c","iat":${iat}}`)).toEqual({ id: 'c', ok: false, error: 'kaput' });
    expect(await h('echo', `{"id":"d","iat":${iat},"text":"hi"}`)).toEqual({ id: 'd', ok: true, error: null, echoed: 'hi' });
    expect(router.stats()).toMatchObject({ received: 7, ok: 1, malformed: 3, unknown: 1, invalidArgs: 1, failed: 1 });
  });

  it('state-changing commands need iat within commandMaxAgeS (300 s); read-only ones do not', async () => {
    expect(await h('echo', '{"id":"e1","text":"x"}')).toMatchObject({ ok: false, error: expect.stringMatching(/missing "iat"/) });
    expect(await h('echo', `{"id":"e2","iat":${iat - 301},"text":"x"}`)).toMatchObject({ ok: false, error: expect.stringMatching(/older than 300 s/) });
    expect(await h('echo', `{"id":"e3","iat":${iat + 120},"text":"x"}`)).toMatchObject({ ok: false, error: expect.stringMatching(/future/) });
    expect(await h('echo', `{"id":"e4","iat":${iat - 299},"text":"x"}`)).toMatchObject({ ok: true });
    expect(await h('look', '{"id":"e5"}')).toMatchObject({ ok: true, seen: true });
    expect(await h('look', `{"id":"e6","iat":${iat - 3600}}`)).toMatchObject({ ok: false });
    // a hub whose clock is not synchronised cannot judge ages: it accepts (versions still refuse replays)
    clock.setSynced(false);
    expect(await h('echo', `{"id":"e7","iat":${iat - 3600},"text":"x"}`)).toMatchObject({ ok: true });
    clock.setSynced(true);
    expect(router.stats().expired).toBe(4);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops top-level sig and whitespace, keeps array order', () => {
    expect(canonicalJson({ z: 1, a: { y: [3, { b: 1, a: 2 }], x: 'é"' }, sig: 'S', n: 1.5e21, t: true, u: null })).toBe('{"a":{"x":"é\\"","y":[3,{"a":2,"b":1}]},"n":1.5e+21,"t":true,"u":null,"z":1}');
    expect(canonicalJson({ a: { sig: 1 } })).toBe('{"a":{"sig":1}}');
  });
});

describe('command signatures (uplink.commandKey)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-sig-'));
  const good = makeSigner(dir, 'good');
  const other = makeSigner(dir, 'other');
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
  const iat = clock.now() / 1000;
  const router = new CommandRouter(quietLog, { clock, hubId: 'h1', auth: CommandAuth.fromFile(good.publicPath) });
  const signers: string[] = [];
  router.register('set', z.strictObject({ v: z.number() }), (a, ctx) => { signers.push(ctx.signer); return { v: a.v }; });
  router.register('look', z.strictObject({}), () => ({}), { stateChanging: false });
  const send = (req: Record<string, unknown>) => router.handle('set', Buffer.from(JSON.stringify(req)));
  const body = { id: 's1', iat, hub: 'h1', cmd: 'set', v: 2 };

  it('accepts a good signature and reports the signer fingerprint', async () => {
    expect(await send(good.sign(body))).toMatchObject({ ok: true, v: 2 });
    expect(signers).toEqual([expect.stringMatching(/^ed25519:[0-9a-f]{32}$/)]);
  });

  it('refuses and counts unsigned, wrongly signed, altered and misaddressed commands', async () => {
    expect(await send(body)).toMatchObject({ ok: false, error: expect.stringMatching(/unsigned/) });
    expect(await send(other.sign(body))).toMatchObject({ ok: false, error: expect.stringMatching(/bad signature/) });
    expect(await send({ ...good.sign(body), v: 3 })).toMatchObject({ ok: false, error: expect.stringMatching(/bad signature/) });
    expect(await send({ ...good.sign(body), sig: 'AAAA' })).toMatchObject({ ok: false });
    expect(await send(good.sign({ ...body, hub: 'h2' }))).toMatchObject({ ok: false, error: expect.stringMatching(/this hub/) });
    expect(await send(good.sign({ ...body, cmd: 'other' }))).toMatchObject({ ok: false });
    expect(router.stats()).toMatchObject({ unsigned: 1, badSignature: 5, ok: 1 });
    // read-only commands need no signature
    expect(await router.handle('look', Buffer.from('{"id":"l"}'))).toMatchObject({ ok: true });
  });

  it('refuses a key file that is missing or not Ed25519, naming it', () => {
    expect(() => CommandAuth.fromFile(join(dir, 'nope.pem'))).toThrow(/uplink.commandKey file .*nope.pem: ENOENT/);
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => CommandAuth.fromFile(rsa)).toThrow(/rsa key, not Ed25519/);
  });
});

describe('command flow control', () => {
  function setup() {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const lines: { msg: string; obj: Record<string, unknown> }[] = [];
    const log = { ...quietLog, warn: (obj: object | string, msg?: string) => { lines.push({ msg: msg ?? String(obj), obj: typeof obj === 'object' ? obj as Record<string, unknown> : {} }); }, child: () => log };
    const router = new CommandRouter(log, { clock, hubId: 'h1', perSecond: 10, queueMax: 16, summaryMs: 10_000 });
    let handled = 0;
    router.register('ping2', z.object({}), () => { handled++; return {}; }, { stateChanging: false });
    const replies: Record<string, unknown>[] = [];
    const recv = (name: string, payload: string, retain = false) => router.receive(name, Buffer.from(payload), { retain }, (r) => replies.push(r));
    return { clock, lines, router, replies, recv, handled: () => handled };
  }

  it('a flood: at most the queue waits, the rest is refused with one reply per second and summarised in the log', async () => {
    const t = setup();
    for (let i = 0; i < 1000; i++) t.recv('ping2', `{"id":"p${i}"}`);
    // one running, 16 waiting, the rest refused; one refusal reply, not 983
    expect(t.router.stats().rateLimited).toBe(1000 - 17);
    expect(t.replies.filter((r) => r.ok === false)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.handled()).toBe(10); // 10 per second
    t.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.handled()).toBe(17);
    t.clock.advance(10_000);
    // the log: one line at the first refusal, one summary, never one line per command
    expect(t.lines.map((l) => l.msg)).toEqual(['command refused; further refusals are summarised', 'commands refused (summary)']);
    expect(t.lines[1]?.obj).toMatchObject({ refused: { 'ping2:rateLimited': 982 }, total: 982 });
    for (let i = 0; i < 100; i++) t.recv('ping2', `{"id":"q${i}"}`);
    t.clock.advance(1000);
    expect(t.replies.filter((r) => r.ok === false).length).toBeLessThanOrEqual(3);
    t.router.stop();
  });

  it('ignores retained messages and refuses oversized ones unread; unknown names share one lane', () => {
    const t = setup();
    t.recv('ping2', '{"id":"r1"}', true);
    t.recv('ping2', `{"id":"big","x":"${'a'.repeat(70_000)}"}`);
    for (let i = 0; i < 100; i++) t.recv(`random-${i}`, '{"id":"u"}');
    expect(t.router.stats()).toMatchObject({ retained: 1, tooLarge: 1, rateLimited: 100 - 17 });
    expect(t.replies.some((r) => r.id === 'r1')).toBe(false);
    t.router.stop();
  });
});

describe('drainer (fake publisher)', () => {
  function setup(cap = 4, batch = 3) {
    const outbox = new MemoryOutbox();
    const clock = new FakeClock();
    const sent: { topic: string; payload: string; ack: (err?: Error) => void }[] = [];
    const pub: QoS1Publisher = { publish: (topic, payload, cb) => { sent.push({ topic, payload: payload.toString(), ack: cb }); } };
    const d = new Drainer({
      outbox, readingsTopic: 'r', alarmEventsTopic: 'a', encoder: { encode: (p) => ({ body: `[${p.join(',')}]` }) },
      batchMaxReadings: batch, batchMaxDelayMs: 200, clock, log: quietLog, defer: (fn) => fn(),
    });
    return { outbox, clock, sent, pub, d, cap };
  }

  it('acks rows only after PUBACK, sends alarms first, re-sends unacked rows after a reconnect', () => {
    const { outbox, sent, pub, d } = setup();
    for (let i = 0; i < 7; i++) outbox.add(1, 'reading', `${i}`);
    outbox.add(2, 'reading', '"w"');
    outbox.add(0, 'alarm', '"A"');
    d.attach(pub, 4);
    expect(sent.map((s) => `${s.topic}${s.payload}`)).toEqual(['a"A"', 'r[0,1,2]', 'r[3,4,5]', 'r[6]']);
    expect(outbox.depth().total).toBe(9); // nothing acked yet
    sent[0]!.ack();
    sent[1]!.ack();
    expect(outbox.depth().total).toBe(5);
    // the lane-2 batch went out once a slot freed and lane 1 was empty
    expect(sent.map((s) => s.payload).slice(4)).toEqual(['["w"]']);
    d.detach(); // connection lost before the other PUBACKs
    outbox.add(0, 'alarm', '"B"');
    sent.length = 0;
    d.attach(pub, 4);
    expect(sent.map((s) => `${s.topic}${s.payload}`)).toEqual(['a"B"', 'r[3,4,5]', 'r[6]', 'r["w"]']);
  });

  it('an alarm stored while a backlog drains goes out before the next readings batch', () => {
    const { outbox, sent, pub, d } = setup(2, 2);
    for (let i = 0; i < 20; i++) outbox.add(1, 'reading', `${i}`);
    d.attach(pub, 2);
    expect(sent.length).toBe(1); // one slot kept for alarms
    outbox.add(0, 'alarm', '"A"');
    d.kick();
    expect(sent[1]!.topic).toBe('a');
    sent[0]!.ack();
    expect(sent[2]!.payload).toBe('[2,3]');
  });

  it('live rows go out within batchMaxDelayMs of a kick', () => {
    const { outbox, clock, sent, pub, d } = setup();
    d.attach(pub, 4);
    outbox.add(1, 'reading', '1');
    d.kick();
    expect(sent.length).toBe(0);
    clock.advance(199);
    expect(sent.length).toBe(0);
    clock.advance(1);
    expect(sent.map((s) => s.payload)).toEqual(['[1]']);
  });

  it('a refused publish (error in the callback) keeps the rows queued', () => {
    const { outbox, clock, sent, pub, d } = setup();
    outbox.add(1, 'reading', '1');
    d.attach(pub, 4);
    sent[0]!.ack(new Error('quota exceeded'));
    expect(outbox.depth().total).toBe(1);
    clock.advance(1000);
    expect(sent.length).toBe(2);
    sent[1]!.ack();
    expect(outbox.depth().total).toBe(0);
    expect(d.stats()).toMatchObject({ publishErrors: 1, ackedRows: 1 });
  });
});

describe('JSON batch encoder', () => {
  it('writes exactly the joined stored payloads, non-ASCII included, with the envelope the store wraps joined batches in', async () => {
    const { JsonBatchEncoder } = await import('../../src/uplink/batch-encoder.js');
    const enc = new JsonBatchEncoder('hub-ø');
    const payloads = ['{"id":"a","unit":"cm[H2O]"}', '{"id":"b","text":"µ ø — ✓"}'];
    const a = enc.encode(payloads);
    expect(a.body).toBe('{"v":1,"hub":"hub-ø","readings":[' + payloads.join(',') + ']}');
    expect(JSON.parse(a.body)).toEqual({ v: 1, hub: 'hub-ø', readings: payloads.map((p) => JSON.parse(p) as unknown) });
    expect(enc.wrap.prefix + payloads.join(',') + enc.wrap.suffix).toBe(a.body);
    expect(enc.encode([]).body).toBe('{"v":1,"hub":"hub-ø","readings":[]}');
  });
});
