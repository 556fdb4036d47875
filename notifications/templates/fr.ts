import { STYLE } from './partials.ts';

/** Modèles français par défaut. Le corps des e-mails est un fragment HTML placé dans la mise en page adaptative. */

export const labels = {
  service: 'Prestation',
  when: 'Date',
  where: 'Lieu',
  with: 'Avec',
  status: 'Statut',
  customer: 'Client',
  email: 'E-mail',
  phone: 'Téléphone',
  notes: 'Remarques',
  mode: 'Type',
  reason: 'Motif',
  joinOnline: 'Rejoindre',
  openChat: 'Ouvrir la discussion',
  reschedule: 'Reprogrammer',
  cancel: 'Annuler',
  confirm: 'Confirmer',
  manage: 'Gérer mon rendez-vous',
  addToCalendar: 'Ajouter à mon calendrier',
  inStore: 'En magasin',
  online: 'En ligne',
  atHome: 'À domicile',
  footerCustomer: 'Message envoyé par {brand} au sujet de votre rendez-vous.',
  footerStaff: 'Notification de rendez-vous pour {brand}.',
};

const { h1, p, small, reason } = STYLE;

export const templates = {
  request_received: {
    email: {
      subject: 'Nous avons bien reçu votre demande : {{serviceName}}, {{date}}',
      body: `<h1 ${h1}>Merci, {{customerName}}</h1>
<p ${p}>Nous avons bien reçu votre demande de rendez-vous. Un conseiller va la confirmer rapidement et vous recevrez une confirmation dès que ce sera fait.</p>
{{> details}}
<p ${p}>Un changement ? Vous pouvez reprogrammer ou annuler votre demande ici :</p>
{{> customerButtons}}`,
    },
    sms: { subject: null, body: '{{brandName}} : nous avons bien reçu votre demande de {{serviceName}} le {{when}}. Un conseiller va la confirmer rapidement.' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Bonjour {{customerName}}, nous avons bien reçu votre demande de rendez-vous. Un conseiller va la confirmer rapidement.

{{> details}}

{{> customerButtons}}`,
    },
  },

  confirmed: {
    email: {
      subject: 'Rendez-vous confirmé : {{serviceName}}, {{date}} à {{time}}',
      body: `<h1 ${h1}>Votre rendez-vous est confirmé</h1>
<p ${p}>Bonjour {{customerName}}, nous avons hâte de vous accueillir.{{#isOnline}} À l’heure du rendez-vous, cliquez sur Rejoindre pour retrouver votre conseiller.{{/isOnline}}</p>
{{> details}}
{{> customerButtons}}
<p ${small}>L’invitation de calendrier est jointe. <a href="{{links.calendar}}" style="color:#1a56db">{{labels.addToCalendar}}</a></p>`,
    },
    sms: { subject: null, body: '{{brandName}} : votre rendez-vous {{serviceName}} du {{when}} est confirmé. Rejoindre, reprogrammer ou annuler : {{links.manage}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Bonjour {{customerName}}, votre rendez-vous est confirmé.

{{> details}}

{{> customerButtons}}`,
    },
  },

  rescheduled: {
    email: {
      subject: 'Nouvel horaire pour votre rendez-vous : {{date}} à {{time}}',
      body: `<h1 ${h1}>Votre rendez-vous a été déplacé</h1>
<p ${p}>Bonjour {{customerName}}, votre rendez-vous a désormais lieu le <strong>{{when}}</strong>. L’invitation de calendrier mise à jour est jointe.</p>
{{> details}}
{{> customerButtons}}`,
    },
    sms: { subject: null, body: '{{brandName}} : votre rendez-vous {{serviceName}} est déplacé au {{when}}. Gérer : {{links.manage}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Bonjour {{customerName}}, votre rendez-vous est déplacé au *{{when}}*.

{{> details}}

{{> customerButtons}}`,
    },
  },

  cancelled: {
    email: {
      subject: 'Rendez-vous annulé : {{serviceName}}, {{date}}',
      body: `<h1 ${h1}>Votre rendez-vous a été annulé</h1>
<p ${p}>Bonjour {{customerName}}, {{#cancelledByCustomer}}comme vous l’avez demandé, votre rendez-vous {{serviceName}} du {{when}} a été annulé.{{/cancelledByCustomer}}{{^cancelledByCustomer}}nous sommes désolés : votre rendez-vous {{serviceName}} du {{when}} a été annulé et n’aura pas lieu.{{/cancelledByCustomer}}</p>
{{#reason}}<p ${reason}><strong>{{labels.reason}} :</strong> {{reason}}</p>{{/reason}}
{{> details}}
<p ${p}>N’hésitez pas à prendre un autre rendez-vous avec nous quand vous le souhaitez.</p>`,
    },
    sms: { subject: null, body: '{{brandName}} : votre rendez-vous {{serviceName}} du {{when}} est annulé.{{#reason}} Motif : {{reason}}{{/reason}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Bonjour {{customerName}}, votre rendez-vous {{serviceName}} du {{when}} a été annulé et n’aura pas lieu.{{#reason}}

*{{labels.reason}} :* {{reason}}{{/reason}}`,
    },
  },

  reminder: {
    email: {
      subject: 'Rappel : {{serviceName}}, {{date}} à {{time}}',
      body: `<h1 ${h1}>À bientôt, {{customerName}}</h1>
<p ${p}>Nous vous rappelons votre rendez-vous avec {{brandName}}.{{#isOnline}} À l’heure du rendez-vous, cliquez sur Rejoindre pour retrouver votre conseiller.{{/isOnline}}</p>
{{> details}}
{{> customerButtons}}
<p ${small}><a href="{{links.calendar}}" style="color:#1a56db">{{labels.addToCalendar}}</a></p>`,
    },
    // Nom de l'entreprise, prestation, date et heure, et le magasin (ou le conseiller) seulement.
    sms: { subject: null, body: 'Rappel {{brandName}} : {{serviceName}}, {{date}} à {{time}}{{#isInStore}}, {{storeName}}{{/isInStore}}{{^isInStore}}, avec {{staffName}}{{/isInStore}}.' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}}*
Rappel : votre rendez-vous a lieu le *{{when}}*.

{{> details}}

{{> customerButtons}}`,
    },
  },

  // Vide exprès : rien n'est envoyé tant que la marque n'a pas rédigé son propre suivi.
  follow_up: {
    email: { subject: null, body: '' },
    sms: { subject: null, body: '' },
    whatsapp: { subject: null, body: '' },
  },

  staff_request: {
    email: {
      subject: 'Nouvelle demande de rendez-vous : {{customerName}}, {{serviceName}}, {{date}} {{time}}',
      body: `<h1 ${h1}>Nouvelle demande de rendez-vous</h1>
<p ${p}>{{customerName}} a demandé un rendez-vous. Merci de le confirmer, ou d’appeler d’abord le client et de choisir un autre horaire avec Reprogrammer.</p>
{{> staffDetails}}
{{> staffButtons}}`,
    },
    sms: { subject: null, body: '{{brandName}} : nouvelle demande de {{customerName}}, {{serviceName}}, {{when}}. Confirmer : {{links.staffConfirm}} Reprogrammer : {{links.staffReschedule}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}} : nouvelle demande de rendez-vous*

{{> staffDetails}}

{{> staffButtons}}`,
    },
  },

  staff_confirmed: {
    email: {
      subject: 'Rendez-vous confirmé : {{customerName}}, {{serviceName}}, {{date}} {{time}}',
      body: `<h1 ${h1}>Rendez-vous confirmé</h1>
<p ${p}>Ce rendez-vous est confirmé au client.</p>
{{> staffDetails}}
{{> staffRescheduleButton}}`,
    },
    sms: { subject: null, body: '{{brandName}} : rendez-vous confirmé, {{serviceName}} avec {{customerName}}, {{when}}.' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}} : rendez-vous confirmé*

{{> staffDetails}}`,
    },
  },

  staff_cancelled: {
    email: {
      subject: 'Rendez-vous annulé : {{customerName}}, {{serviceName}}, {{date}} {{time}}',
      body: `<h1 ${h1}>Rendez-vous annulé</h1>
<p ${p}>Ce rendez-vous a été annulé ; le créneau est de nouveau libre.</p>
{{#reason}}<p ${reason}><strong>{{labels.reason}} :</strong> {{reason}}</p>{{/reason}}
{{> staffDetails}}`,
    },
    sms: { subject: null, body: '{{brandName}} : rendez-vous annulé, {{serviceName}} avec {{customerName}}, {{when}}.{{#reason}} Motif : {{reason}}{{/reason}}' },
    whatsapp: {
      subject: null,
      body: `*{{brandName}} : rendez-vous annulé*{{#reason}}
*{{labels.reason}} :* {{reason}}{{/reason}}

{{> staffDetails}}`,
    },
  },
};
