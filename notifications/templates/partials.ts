/**
 * Pieces every template (default or a brand's own) can include with `{{> name}}`. Each exists in an
 * HTML form (email) and a text form (SMS, WhatsApp); labels come from `{{labels.*}}`, so one
 * partial serves every locale. Styles are inline: many mail clients drop <style> blocks.
 */

/** Inline styles for the default templates' own elements. */
export const STYLE = {
  h1: 'style="margin:0 0 16px;font-size:22px;line-height:1.3;font-weight:700;color:#1f2933"',
  p: 'style="margin:0 0 16px"',
  small: 'style="margin:0 0 16px;font-size:14px;color:#616e7c"',
  reason: 'style="margin:0 0 16px;padding:12px 16px;background:#fdf2f2;border-left:4px solid #e02424;border-radius:4px"',
} as const;

const TH = 'scope="row" align="left" valign="top" style="padding:6px 12px 6px 0;color:#616e7c;font-weight:600;white-space:nowrap;vertical-align:top"';
const TD = 'style="padding:6px 0;vertical-align:top;word-break:break-word"';
const row = (label: string, value: string) => `<tr><th ${TH}>{{${label}}}</th><td ${TD}>${value}</td></tr>`;

const TABLE = 'role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 20px;font-size:15px;line-height:1.5"';

/** A full-width button that survives Outlook (the cell carries the colour) and is easy to tap. */
function button(href: string, label: string, kind: 'primary' | 'secondary' | 'danger'): string {
  const colours = {
    primary: { bg: '#1a56db', fg: '#ffffff', border: '#1a56db' },
    secondary: { bg: '#ffffff', fg: '#1a56db', border: '#1a56db' },
    danger: { bg: '#ffffff', fg: '#c81e1e', border: '#c81e1e' },
  }[kind];
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px"><tr>`
    + `<td align="center" bgcolor="${colours.bg}" style="border-radius:6px;border:2px solid ${colours.border};background:${colours.bg}">`
    + `<a href="{{${href}}}" target="_blank" style="display:block;padding:14px 20px;font-size:17px;line-height:1.2;font-weight:700;color:${colours.fg};text-decoration:none;border-radius:6px">{{${label}}}</a>`
    + `</td></tr></table>`;
}

export const HTML_PARTIALS: Record<string, string> = {
  details: `<table ${TABLE}>`
    + row('labels.service', '{{serviceName}}')
    + row('labels.when', '{{when}}')
    + row('labels.where', '{{where}}')
    + row('labels.with', '{{staffName}}')
    + `{{#statusName}}${row('labels.status', '{{statusName}}')}{{/statusName}}`
    + `</table>`,
  staffDetails: `<table ${TABLE}>`
    + row('labels.customer', '{{customerName}}')
    + `{{#customerEmail}}${row('labels.email', '<a href="mailto:{{customerEmail}}" style="color:#1a56db">{{customerEmail}}</a>')}{{/customerEmail}}`
    + `{{#customerPhone}}${row('labels.phone', '<a href="tel:{{customerPhone}}" style="color:#1a56db">{{customerPhone}}</a>')}{{/customerPhone}}`
    + row('labels.service', '{{serviceName}}')
    + row('labels.mode', '{{mode}}')
    + row('labels.when', '{{when}}')
    + row('labels.where', '{{where}}')
    + row('labels.with', '{{staffName}}')
    + `{{#statusName}}${row('labels.status', '{{statusName}}')}{{/statusName}}`
    + `{{#notes}}${row('labels.notes', '{{notes}}')}{{/notes}}`
    + `</table>`,
  joinButton: button('links.join', 'labels.join', 'primary'),
  rescheduleButton: button('links.reschedule', 'labels.reschedule', 'secondary'),
  cancelButton: button('links.cancel', 'labels.cancel', 'danger'),
  manageButton: button('links.manage', 'labels.manage', 'secondary'),
  calendarButton: button('links.calendar', 'labels.addToCalendar', 'secondary'),
  confirmButton: button('links.staffConfirm', 'labels.confirm', 'primary'),
  staffRescheduleButton: button('links.staffReschedule', 'labels.reschedule', 'secondary'),
  customerButtons: '{{> joinButton}}{{> rescheduleButton}}{{> cancelButton}}',
  staffButtons: '{{> confirmButton}}{{> staffRescheduleButton}}',
};

/**
 * Text forms end with a newline: Mustache drops the line break after a partial tag standing alone
 * on its line, so the partial brings its own.
 */
export const TEXT_PARTIALS: Record<string, string> = {
  details: '{{labels.service}}: {{serviceName}}\n'
    + '{{labels.when}}: {{when}}\n'
    + '{{labels.where}}: {{where}}\n'
    + '{{labels.with}}: {{staffName}}\n'
    + '{{#statusName}}{{labels.status}}: {{statusName}}\n{{/statusName}}',
  staffDetails: '{{labels.customer}}: {{customerName}}\n'
    + '{{#customerEmail}}{{labels.email}}: {{customerEmail}}\n{{/customerEmail}}'
    + '{{#customerPhone}}{{labels.phone}}: {{customerPhone}}\n{{/customerPhone}}'
    + '{{labels.service}}: {{serviceName}}\n'
    + '{{labels.mode}}: {{mode}}\n'
    + '{{labels.when}}: {{when}}\n'
    + '{{labels.where}}: {{where}}\n'
    + '{{labels.with}}: {{staffName}}\n'
    + '{{#statusName}}{{labels.status}}: {{statusName}}\n{{/statusName}}'
    + '{{#notes}}{{labels.notes}}: {{notes}}\n{{/notes}}',
  joinButton: '{{labels.join}}: {{links.join}}\n',
  rescheduleButton: '{{labels.reschedule}}: {{links.reschedule}}\n',
  cancelButton: '{{labels.cancel}}: {{links.cancel}}\n',
  manageButton: '{{labels.manage}}: {{links.manage}}\n',
  calendarButton: '{{labels.addToCalendar}}: {{links.calendar}}\n',
  confirmButton: '{{labels.confirm}}: {{links.staffConfirm}}\n',
  staffRescheduleButton: '{{labels.reschedule}}: {{links.staffReschedule}}\n',
  customerButtons: '{{> joinButton}}{{> rescheduleButton}}{{> cancelButton}}',
  staffButtons: '{{> confirmButton}}{{> staffRescheduleButton}}',
};

export const PARTIAL_NAMES: readonly string[] = Object.keys(HTML_PARTIALS);
