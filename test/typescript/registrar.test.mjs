// The official Cloudflare TypeScript SDK (npm cloudflare, pinned in
// package.json) against a real registrar server: every method of
// client.registrar and client.registrarSandbox, the documented error codes
// and limits, and the workflow status's context keys
// (/work/shared/docs/api.md, docs/API.md).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare, { APIError } from 'cloudflare';
import { startServer } from './server.mjs';

const testTimeout = { timeout: 60_000 };
let server;
let client;
let account_id;

before(async () => {
  server = await startServer();
  account_id = server.accountId;
  client = new Cloudflare({
    apiToken: server.token,
    baseURL: server.baseURL,
    maxRetries: 0, // a retry would hide which answer a test got
    timeout: 30_000,
  });
}, { timeout: 360_000 }); // may build the binary

after(async () => {
  if (server) await server.stop();
});

// ---- helpers ----

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function contact(email) {
  return {
    email,
    phone: '+44.2071234567',
    postal_info: {
      name: 'Ada Lovelace',
      address: {
        street: "12 St James's Square",
        city: 'London',
        state: 'London',
        postal_code: 'SW1Y 4LB',
        country_code: 'GB',
      },
    },
  };
}

// A label unique to this run, so that names never collide across
// environments or with other tests.
let seq = 0;
function name(prefix, ext = 'com') {
  seq++;
  return `${prefix}ts${process.pid}x${seq}.${ext}`;
}

// rejects awaits promise, which must fail with an APIError of the HTTP
// status, and returns the error. With code, some item of errors[] has it
// (and, with pointer, that item's source.pointer).
async function rejects(promise, status, code, pointer) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `want an APIError ${status}${code ? ` code ${code}` : ''}, got success`);
  assert.ok(err instanceof APIError, `want an APIError, got ${err}`);
  assert.equal(err.status, status, `HTTP status: ${err.message}`);
  if (status !== 304) {
    assert.ok(Array.isArray(err.errors) && err.errors.length > 0, `errors[] empty: ${JSON.stringify(err.error)}`);
    for (const item of err.errors) {
      assert.equal(typeof item.code, 'number', `errors[].code not a number: ${JSON.stringify(item)}`);
      assert.equal(typeof item.message, 'string');
    }
    assert.equal(err.headers.get('x-should-retry') ?? 'false', 'false', 'a 4xx must not invite a retry');
  }
  if (code !== undefined) {
    const item = err.errors.find((e) => e.code === code);
    assert.ok(item, `no errors[].code ${code} in ${JSON.stringify(err.errors)}`);
    if (pointer !== undefined) {
      assert.equal(item.source?.pointer, pointer, `source.pointer of ${JSON.stringify(item)}`);
    }
  }
  return err;
}

// poll gets the status until done(status) or limitMs pass.
async function poll(get, done, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  let interval = 100;
  for (;;) {
    const st = await get();
    if (done(st)) return st;
    if (Date.now() > deadline) assert.fail(`workflow still ${st.state} after ${limitMs / 1000}s: ${JSON.stringify(st)}`);
    await sleep(interval);
    interval = Math.min(interval * 2, 1_000);
  }
}

const terminal = (st) => st.completed || st.state === 'action_required';

// checkWorkflow checks the fields every WorkflowStatus has.
function checkWorkflow(st, domain, env) {
  assert.equal(typeof st.completed, 'boolean');
  assert.equal(st.completed, st.state === 'succeeded' || st.state === 'failed', `completed vs state ${st.state}`);
  assert.ok(['pending', 'in_progress', 'action_required', 'blocked', 'succeeded', 'failed'].includes(st.state), st.state);
  assert.ok(!Number.isNaN(Date.parse(st.created_at)), `created_at ${st.created_at}`);
  assert.ok(!Number.isNaN(Date.parse(st.updated_at)), `updated_at ${st.updated_at}`);
  assert.equal(st.context?.domain_name, domain);
  assert.equal(st.links.resource, `/accounts/${account_id}/${env}/registrations/${domain}`);
  assert.ok(st.links.self.startsWith(`/accounts/${account_id}/${env}/registrations/${domain}/`), st.links.self);
  if (st.state === 'failed') {
    assert.equal(typeof st.error?.code, 'string');
    assert.equal(typeof st.error?.message, 'string');
  } else {
    assert.ok(st.error == null, `error on a ${st.state} workflow: ${JSON.stringify(st.error)}`);
  }
}

function checkRegistration(reg, domain) {
  assert.equal(reg.domain_name, domain);
  assert.ok(['registration_pending', 'active', 'expired', 'suspended', 'redemption_period', 'pending_delete'].includes(reg.status), reg.status);
  assert.equal(typeof reg.auto_renew, 'boolean');
  assert.equal(typeof reg.locked, 'boolean');
  assert.ok(['off', 'redaction'].includes(reg.privacy_mode), reg.privacy_mode);
  assert.ok(!Number.isNaN(Date.parse(reg.created_at)));
  if (reg.status !== 'registration_pending') assert.ok(!Number.isNaN(Date.parse(reg.expires_at)), `expires_at ${reg.expires_at}`);
}

// checkAvailability checks the rules every check or search result keeps:
// pricing exactly when registrable, reason exactly when not.
function checkAvailability(d) {
  assert.equal(typeof d.name, 'string');
  assert.equal(typeof d.registrable, 'boolean');
  if (d.registrable) {
    assert.equal(d.tier, 'standard', `tier of registrable ${d.name}`);
    assert.ok(d.pricing, `registrable ${d.name} has no pricing`);
    assert.equal(typeof d.pricing.currency, 'string');
    assert.match(d.pricing.registration_cost, /^\d+(\.\d+)?$/);
    assert.match(d.pricing.renewal_cost, /^\d+(\.\d+)?$/);
    assert.equal(d.reason, undefined, `registrable ${d.name} has a reason`);
  } else {
    assert.equal(d.pricing, undefined, `${d.name} is not registrable (${d.reason}) but has pricing: ${JSON.stringify(d.pricing)}`);
    assert.equal(typeof d.reason, 'string', `${d.name} is not registrable but has no reason`);
  }
}

function checkExtension(e) {
  assert.equal(typeof e.metadata?.name, 'string');
  assert.equal(typeof e.metadata?.tld, 'string');
  assert.ok(e.metadata.name === e.metadata.tld || e.metadata.name.endsWith(`.${e.metadata.tld}`), JSON.stringify(e.metadata));
  assert.equal(typeof e.registration_schema, 'object', `${e.metadata.name}: registration_schema`);
  assert.ok(e.registration_schema !== null);
  assert.ok('transfer_schema' in e, `${e.metadata.name} has no transfer_schema`);
  assert.equal(typeof e.transfer_schema, 'object', `${e.metadata.name}: transfer_schema`);
  assert.ok(e.transfer_schema !== null, `${e.metadata.name}: transfer_schema is null`);
}

async function envelopeOf(promise) {
  const resp = await promise.asResponse();
  assert.equal(resp.status, 200);
  return resp.json();
}

// ---- the suite, once per environment ----

const environments = [
  { key: 'registrar', path: 'registrar', sandbox: false },
  { key: 'registrarSandbox', path: 'registrar-sandbox', sandbox: true },
];

for (const env of environments) {
  const api = () => client[env.key];
  // The sandbox has no express mode: every registration sends its
  // registrant. Live (demo mode) uses the account's default contact.
  const registrant = env.sandbox ? { contacts: { registrant: contact('ada@example.com') } } : {};

  describe(`client.${env.key}`, () => {
    describe('check', () => {
      test('happy path: pricing only when registrable; taken and premium names', testTimeout, async () => {
        const free = name('free-');
        const taken = name('taken-');
        const premium = name('premium-');
        const res = await api().check({ account_id, domains: [free, taken, premium] });
        assert.deepEqual(res.domains.map((d) => d.name), [free, taken, premium]);
        res.domains.forEach(checkAvailability);
        const [f, t, p] = res.domains;
        assert.equal(f.registrable, true);
        assert.equal(t.registrable, false);
        assert.equal(t.reason, 'domain_unavailable');
        assert.equal(p.registrable, false);
        assert.equal(p.tier, 'premium');
        assert.equal(p.reason, 'domain_premium');
        assert.equal(p.pricing, undefined, 'a premium name has no pricing');
      });

      test('domains: [] is 400 with code 1006', testTimeout, async () => {
        await rejects(api().check({ account_id, domains: [] }), 400, 1006);
      });

      test('more than 20 names is 400 with code 1007', testTimeout, async () => {
        const domains = Array.from({ length: 21 }, () => name('many-'));
        await rejects(api().check({ account_id, domains }), 400, 1007);
      });

      test('no valid name is 400 with code 1008', testTimeout, async () => {
        await rejects(api().check({ account_id, domains: ['not a domain', 'nodot', '-bad-.com'] }), 400, 1008);
      });
    });

    describe('search', () => {
      test('happy path: suggestions, pricing only when registrable, messages []', testTimeout, async () => {
        const res = await api().search({ account_id, q: `tscoffee${process.pid} shop`, limit: 5 });
        assert.ok(res.domains.length > 0 && res.domains.length <= 5, `${res.domains.length} suggestions`);
        res.domains.forEach(checkAvailability);
        const envelope = await envelopeOf(api().search({ account_id, q: `tscoffee${process.pid}`, extensions: ['com', 'net'] }));
        assert.equal(envelope.success, true);
        assert.deepEqual(envelope.errors, []);
        assert.deepEqual(envelope.messages, [], 'search messages on success');
        for (const d of envelope.result.domains) {
          checkAvailability(d);
          assert.match(d.name, /\.(com|net)$/);
        }
      });

      test('a premium- name: tier premium, reason domain_premium, no pricing', testTimeout, async () => {
        const premium = name('premium-');
        const res = await api().search({ account_id, q: premium });
        const d = res.domains.find((x) => x.name === premium);
        assert.ok(d, `${premium} not among ${res.domains.map((x) => x.name)}`);
        checkAvailability(d);
        assert.equal(d.registrable, false);
        assert.equal(d.tier, 'premium');
        assert.equal(d.reason, 'domain_premium');
        assert.equal(d.pricing, undefined);
      });

      test('without q is 400 with code 1001', testTimeout, async () => {
        await rejects(api().search({ account_id }), 400, 1001);
      });

      test('q over 100 characters is 400 with code 1002', testTimeout, async () => {
        await rejects(api().search({ account_id, q: 'a'.repeat(101) }), 400, 1002);
      });

      test('limit over 50 is refused', testTimeout, async () => {
        await rejects(api().search({ account_id, q: 'tscoffee', limit: 51 }), 400);
        const res = await api().search({ account_id, q: 'tscoffee', limit: 50 });
        assert.ok(res.domains.length <= 50);
      });
    });

    describe('extensions', () => {
      test('list: every extension (all pages) has metadata, registration_schema and transfer_schema', testTimeout, async () => {
        const names = [];
        for await (const e of api().extensions.list({ account_id, per_page: 10 })) {
          checkExtension(e);
          names.push(e.metadata.name);
        }
        assert.ok(names.includes('com') && names.includes('net'), names.join(' '));
        assert.equal(new Set(names).size, names.length, 'an extension listed twice across pages');
        // Both environments list the whole catalog with one schema each
        // (docs/API.md); the sandbox registers com and net only, which the
        // sandbox's registration tests below check.
      });

      test('get: metadata, schemas; If-None-Match with its ETag is 304, ETag kept', testTimeout, async () => {
        const { data, response } = await api().extensions.get('com', { account_id }).withResponse();
        checkExtension(data);
        assert.deepEqual(data.metadata, { name: 'com', tld: 'com' });
        const etag = response.headers.get('etag');
        assert.ok(etag, 'no ETag');
        // The SDK treats any non-2xx as an error: a 304 is an APIError
        // with status 304 and the response's headers.
        const err = await rejects(api().extensions.get('com', { account_id }, { headers: { 'If-None-Match': etag } }), 304);
        assert.equal(err.headers.get('etag'), etag);
        const again = await api().extensions.get('com', { account_id }, { headers: { 'If-None-Match': '"other"' } });
        assert.deepEqual(again, data);
      });

    });

    describe('registrations', () => {
      test('create: 201 within the sync window, then get, list, registration-status', testTimeout, async () => {
        const domain = name('ok-');
        const { data: st, response } = await api().registrations.create({ account_id, domain_name: domain, ...registrant }).withResponse();
        assert.equal(response.status, 201);
        checkWorkflow(st, domain, env.path);
        assert.equal(st.state, 'succeeded');
        checkRegistration(st.context.registration, domain);
        assert.equal(st.context.registration.status, 'active');

        const reg = await api().registrations.get(domain, { account_id });
        checkRegistration(reg, domain);
        assert.equal(reg.auto_renew, false);

        const again = await api().registrationStatus.get(domain, { account_id });
        checkWorkflow(again, domain, env.path);
        assert.equal(again.state, 'succeeded');
      });

      test('create: slow- name is 202, polled until succeeded; Prefer: respond-async is 202 at once', testTimeout, async () => {
        const slow = name('slow-');
        const { data: st, response } = await api().registrations.create({ account_id, domain_name: slow, ...registrant }).withResponse();
        assert.equal(response.status, 202);
        checkWorkflow(st, slow, env.path);
        assert.equal(st.completed, false);

        const plain = name('async-');
        const r = await api().registrations.create({ account_id, domain_name: plain, Prefer: 'respond-async', ...registrant }).withResponse();
        assert.equal(r.response.status, 202);
        assert.equal(r.response.headers.get('preference-applied'), 'respond-async');

        for (const domain of [slow, plain]) {
          const done = await poll(() => api().registrationStatus.get(domain, { account_id }), terminal);
          checkWorkflow(done, domain, env.path);
          assert.equal(done.state, 'succeeded');
          checkRegistration(done.context.registration, domain);
        }
      });

      test('list: cursor pages cover every registration once; per_page over 50 is refused', testTimeout, async () => {
        const mine = [name('list-'), name('list-'), name('list-')];
        for (const domain of mine) {
          const st = await api().registrations.create({ account_id, domain_name: domain, ...registrant });
          assert.equal(st.state, 'succeeded');
        }
        const first = await api().registrations.list({ account_id, per_page: 2, sort_by: 'name', direction: 'asc' });
        assert.equal(first.result.length, 2);
        assert.equal(first.result_info.per_page, 2);
        assert.ok(first.result_info.cursor, 'the first of several pages has a cursor');
        assert.ok(first.hasNextPage());
        const seen = [];
        for await (const reg of api().registrations.list({ account_id, per_page: 2, sort_by: 'name', direction: 'asc' })) {
          checkRegistration(reg, reg.domain_name);
          seen.push(reg.domain_name);
        }
        assert.equal(new Set(seen).size, seen.length, `a registration listed twice: ${seen}`);
        assert.deepEqual([...seen].sort(), seen, 'sort_by=name asc');
        for (const domain of mine) assert.ok(seen.includes(domain), `${domain} not listed`);

        await rejects(api().registrations.list({ account_id, per_page: 51 }), 400);
        const max = await api().registrations.list({ account_id, per_page: 50 });
        assert.ok(max.result.length <= 50);
      });

      test('edit: an update workflow with fields_updated and pending_registry_confirmation; update-status', testTimeout, async () => {
        const domain = name('edit-');
        await api().registrations.create({ account_id, domain_name: domain, ...registrant });
        const { data: st, response } = await api().registrations.edit(domain, { account_id, auto_renew: true }).withResponse();
        assert.ok([200, 202].includes(response.status), `PATCH answered ${response.status}`);
        checkWorkflow(st, domain, env.path);
        assert.ok(st.links.self.endsWith('/update-status'), st.links.self);

        const done = await poll(() => api().updateStatus.get(domain, { account_id }), terminal);
        checkWorkflow(done, domain, env.path);
        assert.equal(done.state, 'succeeded');
        assert.ok(Array.isArray(done.context.fields_updated), `context.fields_updated: ${JSON.stringify(done.context)}`);
        assert.ok(done.context.fields_updated.includes('auto_renew'), JSON.stringify(done.context.fields_updated));
        // true while the registry has not confirmed; left out once the
        // update has succeeded (docs/API.md, as the reference's examples).
        if (!st.completed) assert.equal(st.context.pending_registry_confirmation, true, `context while pending: ${JSON.stringify(st.context)}`);
        assert.ok(!done.context.pending_registry_confirmation, `context.pending_registry_confirmation after success: ${JSON.stringify(done.context)}`);
        assert.equal((await api().registrations.get(domain, { account_id })).auto_renew, true);
      });

      test('edit with only account_id (no auto_renew) is valid and changes nothing', testTimeout, async () => {
        const domain = name('noop-');
        await api().registrations.create({ account_id, domain_name: domain, auto_renew: true, ...registrant });
        const before = await api().registrations.get(domain, { account_id });
        const { data: st, response } = await api().registrations.edit(domain, { account_id }).withResponse();
        assert.ok([200, 202].includes(response.status), `PATCH {} answered ${response.status}`);
        checkWorkflow(st, domain, env.path);
        const done = await poll(() => api().updateStatus.get(domain, { account_id }), terminal);
        assert.equal(done.state, 'succeeded');
        assert.deepEqual(await api().registrations.get(domain, { account_id }), before);
      });

      test('create: missing, unsupported or invalid domain_name is 400 code 10000 at /domain_name', testTimeout, async () => {
        await rejects(api().registrations.create({ account_id, ...registrant }), 400, 10000, '/domain_name');
        await rejects(api().registrations.create({ account_id, domain_name: name('unsupported-', 'zz'), ...registrant }), 400, 10000, '/domain_name');
        await rejects(api().registrations.create({ account_id, domain_name: 'bad_name!.com', ...registrant }), 400, 10000, '/domain_name');
      });

      test('an unknown registration is 404 code 10000; so is its registration-status', testTimeout, async () => {
        const domain = name('unknown-');
        await rejects(api().registrations.get(domain, { account_id }), 404, 10000);
        await rejects(api().registrationStatus.get(domain, { account_id }), 404, 10000);
        await rejects(api().updateStatus.get(domain, { account_id }), 404, 10000);
      });

      test('action_required: context.action, confirmation_sent_to masked, the address never shown', testTimeout, async () => {
        const domain = name('action-');
        const email = `verify-ts${process.pid}@example.com`;
        const { data: st, response } = await api().registrations.create({
          account_id, domain_name: domain, contacts: { registrant: contact(email) },
        }).withResponse();
        assert.ok([201, 202].includes(response.status), `POST answered ${response.status}`);
        const got = st.state === 'action_required' ? st
          : await poll(() => api().registrationStatus.get(domain, { account_id }), terminal);
        const again = await api().registrationStatus.get(domain, { account_id });
        for (const s of [got, again]) {
          checkWorkflow(s, domain, env.path);
          assert.equal(s.state, 'action_required');
          assert.equal(s.completed, false);
          assert.equal(s.context.action, 'registrant_email_confirmation_pending');
          assert.equal(s.context.confirmation_sent_to, 'v***@example.com');
          assert.ok(!JSON.stringify(s).includes(email), `the full address appears in ${JSON.stringify(s)}`);
        }
      });

      test('blocked (pending- name): context.blocked_by and context.detail, then succeeded', testTimeout, async () => {
        const domain = name('pending-');
        const { response } = await api().registrations.create({ account_id, domain_name: domain, Prefer: 'respond-async', ...registrant }).withResponse();
        assert.equal(response.status, 202);
        const blocked = await poll(() => api().registrationStatus.get(domain, { account_id }), (s) => s.state === 'blocked' || s.completed, 10_000);
        checkWorkflow(blocked, domain, env.path);
        assert.equal(blocked.state, 'blocked');
        assert.equal(blocked.context.blocked_by, 'registry', `context: ${JSON.stringify(blocked.context)}`);
        assert.equal(typeof blocked.context.detail, 'string', `context: ${JSON.stringify(blocked.context)}`);
        assert.ok(blocked.context.detail.length > 0);
        const done = await poll(() => api().registrationStatus.get(domain, { account_id }), terminal);
        assert.equal(done.state, 'succeeded');
      });

      test('blocked (outage- name): context.blocked_by and context.detail, then succeeded', testTimeout, async () => {
        const domain = name('outage-');
        const { response } = await api().registrations.create({ account_id, domain_name: domain, Prefer: 'respond-async', ...registrant }).withResponse();
        assert.equal(response.status, 202);
        const blocked = await poll(() => api().registrationStatus.get(domain, { account_id }), (s) => s.state === 'blocked' || s.completed, 10_000);
        checkWorkflow(blocked, domain, env.path);
        assert.equal(blocked.state, 'blocked');
        assert.equal(blocked.context.blocked_by, 'registry', `context: ${JSON.stringify(blocked.context)}`);
        assert.equal(typeof blocked.context.detail, 'string', `context: ${JSON.stringify(blocked.context)}`);
        const done = await poll(() => api().registrationStatus.get(domain, { account_id }), terminal);
        assert.equal(done.state, 'succeeded');
      });

      test('failed workflows: reject-, taken-, premium- names', testTimeout, async () => {
        for (const [prefix, code] of [['reject-', 'registry_rejected'], ['taken-', 'domain_unavailable']]) {
          const domain = name(prefix);
          const st = await api().registrations.create({ account_id, domain_name: domain, ...registrant });
          const done = terminal(st) ? st : await poll(() => api().registrationStatus.get(domain, { account_id }), terminal);
          checkWorkflow(done, domain, env.path);
          assert.equal(done.state, 'failed');
          assert.equal(done.error.code, code);
        }
        // A premium name is refused: at once (400 at /domain_name, once a
        // check has seen it premium) or as a failed workflow.
        const premium = name('premium-');
        await api().check({ account_id, domains: [premium] });
        await rejects(api().registrations.create({ account_id, domain_name: premium, ...registrant }), 400, 10000, '/domain_name');
      });
    });

    if (env.sandbox) {
      describe('sandbox rules', () => {
        test('only com and net: other extensions are not registrable and not accepted', testTimeout, async () => {
          const org = name('org-', 'org');
          const res = await api().check({ account_id, domains: [name('com-'), name('net-', 'net'), org] });
          res.domains.forEach(checkAvailability);
          assert.deepEqual(res.domains.map((d) => d.registrable), [true, true, false]);
          const search = await api().search({ account_id, q: `tssbx${process.pid}` });
          for (const d of search.domains) assert.match(d.name, /\.(com|net)$/, 'sandbox search outside com and net');
          await rejects(api().registrations.create({ account_id, domain_name: org, ...registrant }), 400, 10000, '/domain_name');
        });

        test('no express mode: a registration without contacts.registrant is 400 code 10000', testTimeout, async () => {
          const err = await rejects(api().registrations.create({ account_id, domain_name: name('express-') }), 400, 10000);
          assert.ok(err.errors.some((e) => e.source?.pointer?.startsWith('/contacts')), JSON.stringify(err.errors));
          const partial = { email: 'ada@example.com', phone: '+44.2071234567' }; // no postal_info
          await rejects(api().registrations.create({ account_id, domain_name: name('partial-'), contacts: { registrant: partial } }), 400, 10000);
        });
      });
    }
  });
}

// ---- methods only the live client has ----

// Transfers, against the built-in registry's xfer- scenarios (README's
// scenario table): an xfer- name exists at another registrar with the
// auth code "sandbox-auth"; xfer-ack- ones are approved by the losing
// registrar at once. Only client.registrar has transfer methods: the
// SDK's client.registrarSandbox has no transferCheck, transferIn or
// transferInStatus, so the sandbox's endpoints (the server serves them in
// both environments) are reached with the client's generic post and get.
const sandboxAuthCode = 'c2FuZGJveC1hdXRo'; // base64 of "sandbox-auth"

describe('client.registrar transfers (api.md: domain-transfer-check, transfer-in)', () => {
  test('transferCheck: transferable with pricing, domain_not_exists, invalid_auth_code_format', testTimeout, async () => {
    const xfer = name('xfer-');
    const unknown = name('never-registered-');
    const badCode = name('xfer-badcode-');
    const res = await client.registrar.transferCheck({
      account_id,
      domains: [
        { domain_name: xfer, auth_code: sandboxAuthCode },
        { domain_name: unknown, auth_code: sandboxAuthCode },
        { domain_name: badCode, auth_code: 'not base64!' },
      ],
    });
    for (const domain of [xfer, unknown, badCode]) {
      const d = res.domains[domain];
      assert.ok(d, `${domain} missing from ${JSON.stringify(res.domains)}`);
      assert.equal(typeof d.transferable, 'boolean');
      if (d.transferable) {
        assert.match(d.pricing.transfer_cost, /^\d+(\.\d+)?$/);
        assert.match(d.pricing.renewal_cost, /^\d+(\.\d+)?$/);
        assert.equal(typeof d.pricing.currency, 'string');
      } else {
        assert.ok(Array.isArray(d.reasons) && d.reasons.length > 0, `${domain}: no reasons`);
        for (const r of d.reasons) assert.equal(typeof r.code, 'string');
        assert.equal(d.pricing, undefined, `${domain}: pricing when not transferable`);
      }
    }
    assert.equal(res.domains[xfer].transferable, true, `${xfer} with the sandbox code: ${JSON.stringify(res.domains[xfer])}`);
    assert.equal(res.domains[unknown].transferable, false);
    assert.deepEqual(res.domains[unknown].reasons.map((r) => r.code), ['domain_not_exists']);
    assert.equal(res.domains[badCode].transferable, false);
    assert.deepEqual(res.domains[badCode].reasons.map((r) => r.code), ['invalid_auth_code_format']);
  });

  test('transferIn: 202, transferInStatus polled to succeeded; unknown is 404 10000', testTimeout, async () => {
    const domain = name('xfer-ack-');
    const { data: st, response } = await client.registrar.transferIn.create(domain, { account_id, auth_code: sandboxAuthCode }).withResponse();
    assert.equal(response.status, 202);
    checkWorkflow(st, domain, 'registrar');
    assert.equal(st.links.self, `/accounts/${account_id}/registrar/registrations/${domain}/transfer-in-status`);
    assert.notEqual(st.state, 'failed', JSON.stringify(st));
    const done = await poll(() => client.registrar.transferInStatus.get(domain, { account_id }), (s) => s.completed);
    checkWorkflow(done, domain, 'registrar');
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const reg = await client.registrar.registrations.get(domain, { account_id });
    assert.equal(reg.domain_name, domain);
    assert.equal(reg.status, 'active');
    await rejects(client.registrar.transferInStatus.get(name('xfer-unknown-'), { account_id }), 404, 10000);
  });
});

describe('registrar-sandbox transfers (no SDK methods: client.post and client.get)', () => {
  const base = () => `/accounts/${account_id}/registrar-sandbox`;
  test('domain-transfer-check and transfer-in of an xfer-ack- name to succeeded', testTimeout, async () => {
    const xfer = name('xfer-ack-');
    const unknown = name('never-registered-');
    const check = await client.post(`${base()}/domain-transfer-check`, {
      body: { domains: [{ domain_name: xfer, auth_code: sandboxAuthCode }, { domain_name: unknown, auth_code: sandboxAuthCode }] },
    });
    assert.equal(check.success, true, JSON.stringify(check));
    assert.equal(check.result.domains[xfer].transferable, true, JSON.stringify(check.result));
    assert.match(check.result.domains[xfer].pricing.transfer_cost, /^\d+(\.\d+)?$/);
    assert.deepEqual(check.result.domains[unknown].reasons.map((r) => r.code), ['domain_not_exists']);

    const { data: started, response } = await client
      .post(`${base()}/registrations/${xfer}/transfer-in`, {
        body: { auth_code: sandboxAuthCode, contacts: { registrant: contact('ada@example.com') } },
      })
      .withResponse();
    assert.equal(response.status, 202, JSON.stringify(started));
    checkWorkflow(started.result, xfer, 'registrar-sandbox');
    const done = await poll(async () => (await client.get(`${base()}/registrations/${xfer}/transfer-in-status`)).result, (st) => st.completed);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    await rejects(client.get(`${base()}/registrations/${name('xfer-unknown-')}/transfer-in-status`), 404, 10000);
  });
});

describe('client.registrar.domains (the legacy Registrar Domains API, not served)', () => {
  test('list, get and update answer 404 in the envelope', testTimeout, async () => {
    const domain = name('legacy-');
    await rejects(client.registrar.domains.list({ account_id }), 404);
    await rejects(client.registrar.domains.get(domain, { account_id }), 404);
    await rejects(client.registrar.domains.update(domain, { account_id, auto_renew: true }), 404);
  });
});
