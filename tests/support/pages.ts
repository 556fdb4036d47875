/** What a browser does on the appointment pages: open a link (no redirects followed), post a form. */

export interface PageAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function getPage(url: string, headers: Record<string, string> = {}): Promise<PageAnswer> {
  const res = await fetch(url, { redirect: 'manual', headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function postForm(url: string, fields: Record<string, string>): Promise<PageAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The hidden form proof of a rendered page. */
export function proofOf(page: string): string {
  const match = /name="proof" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('no form proof on the page');
  return match[1]!;
}
