import { isAdmin, isManager, type AppContext, type Screen } from '../../context.ts';
import { routes, type Route, type SettingsSection } from '../../router.ts';
import type { Role } from '../../types.ts';
import { el, heading, link, replaceChildren } from '../../ui/dom.ts';
import { faqSection } from './faq.ts';
import { notificationsSection } from './notifications.ts';
import { phoneNumbersSection } from './phone-numbers.ts';
import { servicesSection } from './services.ts';
import { staffHoursSection } from './staff-hours.ts';
import { staffSection } from './staff.ts';
import { storesSection } from './stores.ts';
import { templatesSection } from './templates.ts';
import { workflowsSection } from './workflows.ts';

/** A settings section mounted in the settings page. */
export interface SectionView {
  element: HTMLElement;
  destroy?(): void;
}

export type SectionFactory = (ctx: AppContext, id: string | undefined) => SectionView;

interface SectionInfo {
  label: string;
  description: string;
  allowed: (role: Role) => boolean;
  factory: SectionFactory;
}

export const SECTIONS: Record<SettingsSection, SectionInfo> = {
  services: { label: 'Services', description: 'Names, durations, buffers, modes and booking mode.', allowed: () => true, factory: servicesSection },
  workflows: { label: 'Status workflows', description: 'The statuses a request goes through, per service.', allowed: isManager, factory: workflowsSection },
  stores: { label: 'Stores', description: 'Address, time zone, opening hours, holidays, notifications.', allowed: () => true, factory: storesSection },
  'staff-hours': { label: 'Staff hours & time off', description: 'When each advisor works, and their days off.', allowed: isManager, factory: staffHoursSection },
  notifications: { label: 'Reminders & follow-ups', description: 'What customers receive before and after.', allowed: isAdmin, factory: notificationsSection },
  templates: { label: 'Message templates', description: 'Emails, SMS and WhatsApp messages, with a live preview.', allowed: isAdmin, factory: templatesSection },
  staff: { label: 'Staff accounts', description: 'Invite colleagues, roles, store access.', allowed: isManager, factory: staffSection },
  faq: { label: 'Questions (FAQ)', description: 'What the chat answers when customers ask ("is it free?").', allowed: isAdmin, factory: faqSection },
  'phone-numbers': { label: 'Phone numbers', description: 'The SMS and WhatsApp numbers customers text to book.', allowed: isAdmin, factory: phoneNumbersSection },
};

/** Settings: a list of sections (those the user's role may see) and the chosen one. */
export function settingsScreen(ctx: AppContext, initial: Extract<Route, { name: 'settings' }>): Screen {
  const role = ctx.session().staff.role;
  const nav = el('nav', { class: 'settings-nav', 'aria-label': 'Settings sections' });
  const content = el('div', { class: 'settings-content' });
  const title = heading('Settings');
  const element = el('div', { class: 'screen screen-settings' },
    el('header', { class: 'screen-header' }, el('div', {}, title,
      el('p', { class: 'screen-intro' }, role === 'admin'
        ? 'Everything about your brand’s booking.'
        : role === 'store_manager' ? 'What store managers may change: workflows, opening hours and special days, staff hours. The rest is shown read-only.'
          : 'Read-only: ask a store manager or an administrator to change these.'))),
    el('div', { class: 'settings-layout' }, nav, content));
  let current: SectionView | null = null;

  function show(section: SettingsSection, id: string | undefined) {
    const info = SECTIONS[section];
    replaceChildren(nav, el('ul', {}, ...(Object.entries(SECTIONS) as [SettingsSection, SectionInfo][])
      .filter(([, s]) => s.allowed(role))
      .map(([key, s]) => el('li', {}, link(routes.settings(key), s.label, { 'aria-current': key === section ? 'page' : undefined, class: 'settings-link' }),
        el('span', { class: 'settings-link-desc' }, s.description)))));
    current?.destroy?.();
    if (!info.allowed(role)) {
      current = { element: el('div', { class: 'card' }, el('h2', { class: 'card-title' }, info.label), el('p', {}, 'Your role does not give access to this section.')) };
    } else {
      current = info.factory(ctx, id);
    }
    replaceChildren(content, current.element);
  }

  show(initial.section, initial.id);
  return {
    element,
    title: `${SECTIONS[initial.section].label} · Settings`,
    destroy: () => current?.destroy?.(),
    update(route) {
      if (route.name !== 'settings') return false;
      show(route.section, route.id);
      ctx.setTitle(`${SECTIONS[route.section].label} · Settings`);
      content.querySelector<HTMLElement>('h2')?.setAttribute('tabindex', '-1');
      content.querySelector<HTMLElement>('h2')?.focus();
      return true;
    },
  };
}
