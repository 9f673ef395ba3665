import { request } from 'node:http';

export interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string; raw: Buffer; bytes: number }

/** One HTTP request with exactly the headers given (no cookie jar, no redirects followed). */
export function http(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b.toString('utf8'), raw: b, bytes: b.length });
      });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** Logs in with a form post; the session cookie (name=value) or null, and the answer. */
export async function login(base: string, password: string, headers: Record<string, string> = {}): Promise<{ cookie: string | null; answer: Answer }> {
  const answer = await http(`${base}login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ password }).toString() });
  const set = ([] as string[]).concat(answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('carehub_session='));
  return { cookie: set ? set.split(';')[0]! : null, answer };
}

/** The CSRF token the overview page hands its scripts. */
export async function csrfOf(base: string, cookie: string): Promise<string> {
  const page = await http(base, { headers: { cookie } });
  const m = /"csrf":"([^"]+)"/.exec(page.body);
  if (!m) throw new Error(`no CSRF token on the page (status ${page.status})`);
  return m[1]!;
}

export function postJson(url: string, cookie: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return http(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify(body) });
}
