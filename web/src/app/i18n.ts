import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import auditEnUS from '../locales/audit.en-US';
import auditZhCN from '../locales/audit.zh-CN';
import enUS from '../locales/en-US';
import peopleEnUS from '../locales/people.en-US';
import peopleZhCN from '../locales/people.zh-CN';
import ruleVersionsEnUS from '../locales/ruleVersions.en-US';
import ruleVersionsZhCN from '../locales/ruleVersions.zh-CN';
import zhCN from '../locales/zh-CN';

export type Lang = 'zh-CN' | 'en-US';
export const LANGS: Array<{ value: Lang; label: string }> = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en-US', label: 'English' },
];

const STORAGE_KEY = 'zhihui.lang';

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'en-US' || v === 'zh-CN') return v;
  } catch {
    // storage may be unavailable (privacy mode)
  }
  return 'zh-CN';
}

function applyDocumentLang(lang: Lang): void {
  document.documentElement.lang = lang;
  document.title = (lang === 'zh-CN' ? zhCN : enUS).app.title;
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
}

const initial = storedLang();

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': {
      translation: { ...zhCN, people: peopleZhCN, audit: auditZhCN, ruleVersions: ruleVersionsZhCN },
    },
    'en-US': {
      translation: { ...enUS, people: peopleEnUS, audit: auditEnUS, ruleVersions: ruleVersionsEnUS },
    },
  },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});
applyDocumentLang(initial);

export function currentLang(): Lang {
  return i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
}

export function setLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // ignore
  }
  applyDocumentLang(lang);
  void i18n.changeLanguage(lang);
}

export default i18n;
