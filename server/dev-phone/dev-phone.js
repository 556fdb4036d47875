// The dev phone's screen: sends as the customer through /dev/phone/send, shows the thread from /dev/phone/thread.
(() => {
  const $ = (id) => document.getElementById(id);
  const channel = $('channel');
  const phone = $('phone');
  const thread = $('thread');
  const screen = $('screen');
  let shown = '';

  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  };

  async function send(body, extra = {}) {
    await fetch('/dev/phone/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: channel.value, phone: phone.value.trim(), body, ...extra }),
    });
    await refresh();
  }

  /** WhatsApp interactive content: quick-reply buttons or a list picker; a tap sends its id as ButtonPayload. */
  function interactive(content) {
    const quick = content && content['twilio/quick-reply'];
    if (quick) {
      return el('div', { className: 'buttons' }, quick.actions.map((a) => el('button', { type: 'button', textContent: a.title, onclick: () => send(a.title, { buttonPayload: a.id }) })));
    }
    const list = content && content['twilio/list-picker'];
    if (list) {
      const rows = el('div', { className: 'list', hidden: true }, list.items.map((i) =>
        el('button', { type: 'button', onclick: () => send(i.item, { buttonPayload: i.id }) }, [i.item, ...(i.description ? [el('small', { textContent: i.description })] : [])])));
      const open = el('button', { type: 'button', className: 'open-list', textContent: `☰ ${list.button}`, onclick: () => { rows.hidden = !rows.hidden; } });
      return el('div', {}, [open, rows]);
    }
    return null;
  }

  async function refresh() {
    const number = phone.value.trim();
    if (!/^\+[1-9]\d{6,14}$/.test(number)) return;
    const res = await fetch(`/dev/phone/thread?channel=${channel.value}&phone=${encodeURIComponent(number)}`);
    if (!res.ok) return;
    const data = await res.json();
    $('brand-number').textContent = (channel.value === 'whatsapp' ? 'whatsapp:' : '') + data.brandNumber;
    const key = JSON.stringify(data.messages);
    if (key === shown) return;
    shown = key;
    thread.replaceChildren(...data.messages.map((m, index) => {
      const last = index === data.messages.length - 1;
      const extra = m.from === 'brand' && last ? interactive(m.content) : null;
      return el('li', { className: `msg ${m.from}` }, [m.text, ...(extra ? [extra] : [])]);
    }));
    screen.scrollTop = screen.scrollHeight;
  }

  function switchChannel() {
    screen.className = channel.value;
    $('share-location').hidden = channel.value !== 'whatsapp';
    shown = '';
    void refresh();
  }

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    void send(text);
  });
  // A WhatsApp location message: the Paris Opéra district stands in for the customer's position.
  $('share-location').addEventListener('click', () => void send('', { latitude: 48.8718, longitude: 2.3322 }));
  channel.addEventListener('change', switchChannel);
  phone.addEventListener('change', switchChannel);
  switchChannel();
  setInterval(refresh, 1000);
})();
