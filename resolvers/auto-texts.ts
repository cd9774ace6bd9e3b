import type { AutoTexts, Channel } from '../db/types.js';
import { describeOpening } from './hours.js';

// The automatic texts a contact reads (menu retry, out-of-hours reply, call-back question, absence line), in
// the contact's language: the channel's locale, else the account's. Each can be replaced per channel (the
// menu's greeting and the absence message are always the ADMIN's and the agent's own words).

export const supportedLocales = ['en', 'pt-BR', 'es'] as const;
export type Locale = (typeof supportedLocales)[number];

export const isLocale = (value: string): value is Locale => (supportedLocales as readonly string[]).includes(value);

/** The catalogue for a BCP 47 tag, by its language (pt-PT reads pt-BR, es-MX reads es); null when none fits. */
export function catalogueLocaleOf(tag: string | null | undefined): Locale | null {
  const language = tag?.trim().toLowerCase().split('-')[0];
  return language === 'pt' ? 'pt-BR' : language === 'es' ? 'es' : language === 'en' ? 'en' : null;
}

interface Catalogue {
  menuRetry: string;
  callbackQuestion: string;
  /** The out-of-hours reply when the channel has none of its own; {{next_opening}} is filled in. */
  outOfHours: string;
  /** {{next_opening}} when no opening is scheduled. */
  soon: string;
  absenceSuggestion: string;
  /** Intl locale for {{next_opening}} (en-GB: "Monday 30 November at 08:00"). */
  dateLocale: string;
}

const catalogues: Record<Locale, Catalogue> = {
  en: {
    menuRetry: 'Sorry, that is not an option.',
    callbackQuestion: 'Would you like us to call you back? Reply 1 for yes or 2 for no.',
    outOfHours: 'We are closed now. We open again on {{next_opening}}.',
    soon: 'soon',
    absenceSuggestion: 'Meanwhile, {{colleague}} can help you.',
    dateLocale: 'en-GB',
  },
  'pt-BR': {
    menuRetry: 'Desculpe, essa não é uma opção.',
    callbackQuestion: 'Quer que a gente retorne o contato? Responda 1 para sim ou 2 para não.',
    outOfHours: 'Estamos fora do horário de atendimento. Voltamos a atender: {{next_opening}}.',
    soon: 'em breve',
    absenceSuggestion: 'Enquanto isso, {{colleague}} pode ajudar você.',
    dateLocale: 'pt-BR',
  },
  es: {
    menuRetry: 'Lo sentimos, esa no es una opción.',
    callbackQuestion: '¿Quieres que te llamemos? Responde 1 para sí o 2 para no.',
    outOfHours: 'Ahora estamos cerrados. Volvemos a atender: {{next_opening}}.',
    soon: 'pronto',
    absenceSuggestion: 'Mientras tanto, {{colleague}} puede ayudarte.',
    dateLocale: 'es',
  },
};

/** The texts one channel sends: its own overrides first, then the defaults of its language. */
export interface ChannelTexts {
  locale: Locale;
  menuRetry: string;
  callbackQuestion: string;
  outOfHours: string;
  absenceSuggestion(colleague: string): string;
  nextOpening(opening: Date | null, timeZone: string): string;
}

export function channelTexts(channel: Pick<Channel, 'locale' | 'autoTexts' | 'outOfHoursReply'>, accountLocale: string): ChannelTexts {
  const locale: Locale = catalogueLocaleOf(channel.locale) ?? catalogueLocaleOf(accountLocale) ?? 'en';
  const defaults = catalogues[locale];
  const own: AutoTexts = channel.autoTexts ?? {};
  return {
    locale,
    menuRetry: own.menuRetry ?? defaults.menuRetry,
    callbackQuestion: own.callbackQuestion ?? defaults.callbackQuestion,
    outOfHours: channel.outOfHoursReply ?? defaults.outOfHours,
    absenceSuggestion: (colleague) => (own.absenceSuggestion ?? defaults.absenceSuggestion).replaceAll('{{colleague}}', colleague),
    nextOpening: (opening, timeZone) => (opening ? describeOpening(opening, timeZone, defaults.dateLocale) : defaults.soon),
  };
}
