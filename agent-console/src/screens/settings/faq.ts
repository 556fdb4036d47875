import { errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import { el, errorBlock, loading, replaceChildren } from '../../ui/dom.ts';
import { busy, clearErrors, formAlert, showError, textArea, textField } from '../../ui/forms.ts';
import { controlIn, rowList } from '../../ui/row-list.ts';
import type { SectionView } from './index.ts';

interface FaqEntry {
  keywords: string[];
  questions: { en?: string; fr?: string };
  answers: { en?: string; fr?: string };
}

const MAX_ENTRIES = 50;

/** Admins: the questions the chat answers at any step ("is it free?"), the phrases that identify each, and its answer. */
export function faqSection(ctx: AppContext): SectionView {
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'faq-title' },
    el('h2', { id: 'faq-title', class: 'card-title' }, 'Questions the chat answers'),
    el('p', { class: 'muted' }, 'When a customer asks one of these at any step, the chat answers, then goes on where it was. A question is recognised by its phrases, in any language.'),
    body);

  async function load() {
    try {
      render((await ctx.api.get<{ entries: FaqEntry[] }>('/settings/faq')).entries);
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function render(entries: FaqEntry[]) {
    const field = (label: string, name: string, value: string, area: boolean) => (area
      ? textArea({ label, name, value, rows: 2, attrs: { 'data-field': name } })
      : textField({ label, name, value, attrs: { 'data-field': name } }));
    const rows = rowList<FaqEntry>({
      prefix: 'entries', addLabel: '+ Add a question', removeLabel: 'Remove this question', max: MAX_ENTRIES,
      blank: () => ({ keywords: [], questions: {}, answers: {} }),
      controls: (e) => [
        field('Phrases (comma-separated)', 'keywords', e.keywords.join(', '), false),
        field('Question (English)', 'questions.en', e.questions.en ?? '', false),
        field('Question (French)', 'questions.fr', e.questions.fr ?? '', false),
        field('Answer (English)', 'answers.en', e.answers.en ?? '', true),
        field('Answer (French)', 'answers.fr', e.answers.fr ?? '', true),
      ],
    });
    rows.show(entries);
    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const form = el('form', { class: 'form', novalidate: true }, formAlert(), rows.list, rows.add, el('div', { class: 'form-actions' }, submit));

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form);
      const read = (li: Element, name: string) => controlIn(li, name).value.trim();
      const both = (li: Element, prefix: string) => Object.fromEntries((['en', 'fr'] as const)
        .map((l) => [l, read(li, `${prefix}.${l}`)] as const).filter(([, v]) => v !== ''));
      const payload = {
        entries: rows.rows().map((li) => ({
          keywords: read(li, 'keywords').split(',').map((k) => k.trim()).filter(Boolean),
          questions: both(li, 'questions'),
          answers: both(li, 'answers'),
        })),
      };
      void busy(submit, 'Saving…', async () => {
        try {
          await ctx.api.put('/settings/faq', payload);
          ctx.toast('success', 'Questions saved.');
        } catch (error) {
          showError(form, error);
        }
      });
    });
    replaceChildren(body, form);
  }

  void load();
  return { element };
}
