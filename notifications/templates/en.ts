import { STYLE } from './partials.ts';

/** English default templates. Email bodies are HTML fragments placed in the responsive layout. */

export const labels = {
  service: 'Service',
  when: 'When',
  where: 'Where',
  with: 'With',
  status: 'Status',
  customer: 'Customer',
  email: 'Email',
  phone: 'Phone',
  notes: 'Notes',
  mode: 'Type',
  reason: 'Reason',
  joinOnline: 'Join',
  openChat: 'Open the chat',
  reschedule: 'Reschedule',
  cancel: 'Cancel',
  confirm: 'Confirm',
  manage: 'Manage my appointment',
  addToCalendar: 'Add to my calendar',
  inStore: 'In store',
  online: 'Online',
  atHome: 'At home',
  footerCustomer: 'Sent by {brand} about your appointment.',
  footerStaff: 'Appointment notification for {brand}.',
};

const { h1, p, small, reason } = STYLE;

export const templates = {
  request_received: {
    email: {
      subject: 'We received your request: {{serviceName}}, {{date}}',
      body: `<h1 ${h1}>Thank you, {{customerName}}</h1>
<p ${p}>We received your appointment request. An advisor will confirm it shortly, and you will receive a confirmation as soon as it is done.</p>
{{> details}}
<p ${p}>Need to change something? You can reschedule or cancel your request here:</p>
{{> customerButtons}}`,
    },
    sms: { subject: null, body: '{{brandName}}: we received your request for {{serviceName}} on {{when}}. An advisor will confirm it shortly.' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Hello {{customerName}}, we received your appointment request. An advisor will confirm it shortly.

{{> details}}

{{> customerButtons}}`,
    },
  },

  confirmed: {
    email: {
      subject: 'Confirmed: {{serviceName}}, {{date}} at {{time}}',
      body: `<h1 ${h1}>Your appointment is confirmed</h1>
<p ${p}>Hello {{customerName}}, we look forward to seeing you.{{#isOnline}} At the time of your appointment, click Join to meet your advisor.{{/isOnline}}</p>
{{> details}}
{{> customerButtons}}
<p ${small}>The calendar invitation is attached. <a href="{{links.calendar}}" style="color:#1a56db">{{labels.addToCalendar}}</a></p>`,
    },
    sms: { subject: null, body: '{{brandName}}: your appointment {{serviceName}} on {{when}} is confirmed. Join, reschedule or cancel: {{links.manage}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Hello {{customerName}}, your appointment is confirmed.

{{> details}}

{{> customerButtons}}`,
    },
  },

  rescheduled: {
    email: {
      subject: 'New time for your appointment: {{date}} at {{time}}',
      body: `<h1 ${h1}>Your appointment has been moved</h1>
<p ${p}>Hello {{customerName}}, your appointment now takes place on <strong>{{when}}</strong>. The updated calendar invitation is attached.</p>
{{> details}}
{{> customerButtons}}`,
    },
    sms: { subject: null, body: '{{brandName}}: your appointment {{serviceName}} has been moved to {{when}}. Manage it: {{links.manage}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Hello {{customerName}}, your appointment has been moved to *{{when}}*.

{{> details}}

{{> customerButtons}}`,
    },
  },

  cancelled: {
    email: {
      subject: 'Cancelled: {{serviceName}}, {{date}}',
      body: `<h1 ${h1}>Your appointment has been cancelled</h1>
<p ${p}>Hello {{customerName}}, {{#cancelledByCustomer}}as you asked, your appointment {{serviceName}} on {{when}} has been cancelled.{{/cancelledByCustomer}}{{^cancelledByCustomer}}we are sorry: your appointment {{serviceName}} on {{when}} has been cancelled and will not take place.{{/cancelledByCustomer}}</p>
{{#reason}}<p ${reason}><strong>{{labels.reason}}:</strong> {{reason}}</p>{{/reason}}
{{> details}}
<p ${p}>You are welcome to book another appointment with us at any time.</p>`,
    },
    sms: { subject: null, body: '{{brandName}}: your appointment {{serviceName}} on {{when}} has been cancelled.{{#reason}} Reason: {{reason}}{{/reason}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Hello {{customerName}}, your appointment {{serviceName}} on {{when}} has been cancelled and will not take place.{{#reason}}

*{{labels.reason}}:* {{reason}}{{/reason}}`,
    },
  },

  reminder: {
    email: {
      subject: 'Reminder: {{serviceName}}, {{date}} at {{time}}',
      body: `<h1 ${h1}>See you soon, {{customerName}}</h1>
<p ${p}>This is a reminder of your appointment with {{brandName}}.{{#isOnline}} At the time of your appointment, click Join to meet your advisor.{{/isOnline}}</p>
{{> details}}
{{> customerButtons}}
<p ${small}><a href="{{links.calendar}}" style="color:#1a56db">{{labels.addToCalendar}}</a></p>`,
    },
    // Business name, service, date and time, and the store (or the advisor) only.
    sms: { subject: null, body: 'Reminder from {{brandName}}: {{serviceName}}, {{date}} at {{time}}{{#isInStore}}, {{storeName}}{{/isInStore}}{{^isInStore}}, with {{staffName}}{{/isInStore}}.' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Reminder: your appointment is on *{{when}}*.

{{> details}}

{{> customerButtons}}`,
    },
  },

  // Empty on purpose: nothing is sent until the brand writes its own follow-up.
  follow_up: {
    email: { subject: null, body: '' },
    sms: { subject: null, body: '' },
    whatsapp: { subject: null, body: '' },
  },

  staff_request: {
    email: {
      subject: 'New appointment request: {{customerName}}, {{serviceName}}, {{date}} {{time}}',
      body: `<h1 ${h1}>New appointment request</h1>
<p ${p}>{{customerName}} requested an appointment. Please confirm it, or call the customer first and choose another time with Reschedule.</p>
{{> staffDetails}}
{{> staffButtons}}`,
    },
    sms: { subject: null, body: '{{brandName}}: new request from {{customerName}}, {{serviceName}}, {{when}}. Confirm: {{links.staffConfirm}} Reschedule: {{links.staffReschedule}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}: new appointment request*

{{> staffDetails}}

{{> staffButtons}}`,
    },
  },

  staff_confirmed: {
    email: {
      subject: 'Confirmed appointment: {{customerName}}, {{serviceName}}, {{date}} {{time}}',
      body: `<h1 ${h1}>Appointment confirmed</h1>
<p ${p}>This appointment is confirmed to the customer.</p>
{{> staffDetails}}
{{> staffRescheduleButton}}`,
    },
    sms: { subject: null, body: '{{brandName}}: confirmed {{serviceName}} with {{customerName}}, {{when}}.' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}: appointment confirmed*

{{> staffDetails}}`,
    },
  },

  staff_cancelled: {
    email: {
      subject: 'Cancelled appointment: {{customerName}}, {{serviceName}}, {{date}} {{time}}',
      body: `<h1 ${h1}>Appointment cancelled</h1>
<p ${p}>This appointment has been cancelled; the time is free again.</p>
{{#reason}}<p ${reason}><strong>{{labels.reason}}:</strong> {{reason}}</p>{{/reason}}
{{> staffDetails}}`,
    },
    sms: { subject: null, body: '{{brandName}}: cancelled {{serviceName}} with {{customerName}}, {{when}}.{{#reason}} Reason: {{reason}}{{/reason}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}: appointment cancelled*{{#reason}}
*{{labels.reason}}:* {{reason}}{{/reason}}

{{> staffDetails}}`,
    },
  },
};
