import { describe, expect, it } from 'vitest';
import { resolveInvestigationScope, timesFromQuestion } from '../../src/agent/scope.js';
import type { Sources } from '../../src/sources/types.js';

const t = (s: string) => Date.parse(s);
const sources = (): Sources => ({
  defaults: {
    window: { start: t('2023-01-29T08:40:00Z'), end: t('2023-01-29T08:46:00Z') },
    baseline: { start: t('2023-01-29T08:41:09Z'), end: t('2023-01-29T08:43:04Z') },
    incident: { start: t('2023-01-29T08:43:04Z'), end: t('2023-01-29T08:46:00Z') },
  },
  problems: [],
  describe: 'test',
});

/** The window start (HH:MM) a question gives on a demo-like recording whose incident starts at `incidentStart`. */
function startReader(incidentStart: string): (q: string) => string | undefined {
  const demo = {
    defaults: { window: { start: t('2025-06-03T09:50:00Z'), end: t('2025-06-03T10:20:00Z') }, incident: { start: t(incidentStart), end: t('2025-06-03T10:20:00Z') } },
    problems: [],
    describe: 'demo',
  } as Sources;
  return (q) => {
    const w = timesFromQuestion(q, demo).window;
    return w ? new Date(w.start).toISOString().slice(11, 16) : undefined;
  };
}

describe('investigation scope from the question', () => {
  it('reads "since HH:MM" with minute precision against the recorded incident start', () => {
    const s = resolveInvestigationScope(sources(), 'Since 08:43 UTC, users see failures. What is the root cause?', {});
    expect(s.from).toBe('question');
    expect(s.window).toEqual({ start: t('2023-01-29T08:43:04Z'), end: t('2023-01-29T08:46:00Z') });
    expect(s.baseline).toEqual({ start: t('2023-01-29T08:41:09Z'), end: t('2023-01-29T08:43:04Z') });
  });
  it('keeps the clean part of a recorded baseline that runs into an earlier window', () => {
    const s = resolveInvestigationScope(sources(), 'Depuis 08:42, pourquoi ça échoue ?', {});
    expect(s.window.start).toBe(t('2023-01-29T08:42:00Z'));
    expect(s.baseline).toEqual({ start: t('2023-01-29T08:41:09Z'), end: t('2023-01-29T08:42:00Z') });
  });
  it('falls back to the recorded window and baseline when the question names no time', () => {
    const s = resolveInvestigationScope(sources(), 'What is the root cause?', {});
    expect(s.from).toBe('defaults');
    expect(s.window.start).toBe(t('2023-01-29T08:43:04Z'));
  });
  it('reads "since <time>" in every catalogue language, before or after the time', () => {
    const start = startReader('2025-06-03T10:04:00Z');
    const cases: Array<[string, string]> = [
      ['Perché gli ordini falliscono dalle 10?', '10:00'],
      ['Por que os pedidos estão falhando desde as 10h?', '10:00'],
      ['Waarom mislukken de bestellingen sinds 10:04?', '10:04'],
      ['Dlaczego zamówienia nie przechodzą od 10:00?', '10:00'],
      ['なぜ10時から注文が失敗していますか？', '10:00'],
      ['为什么从10点开始订单失败？', '10:00'],
      ['checkout 从 10:04 起挂了', '10:04'],
      ['왜 10시부터 주문이 실패하나요?', '10:00'],
      ['Почему заказы падают с 10:00?', '10:00'],
      ['Чому замовлення не проходять з 10:00?', '10:00'],
      ["Siparişler neden 10:04'ten beri başarısız oluyor?", '10:04'],
      ['Warum schlagen Bestellungen seit 10 Uhr fehl?', '10:00'],
    ];
    for (const [q, hhmm] of cases) expect(start(q), q).toBe(hhmm);
    expect(start('Why is checkout slow?')).toBeUndefined();
    // A language whose "since" is not known: one HH:MM alone is the start; two times or a time with seconds are not read.
    expect(start('Varför misslyckas beställningar sedan 10:02?')).toBe('10:02');
    expect(start('لماذا تفشل الطلبات منذ 10:02؟')).toBe('10:02');
    expect(start('Kenapa pesanan gagal sejak 10:02?')).toBe('10:02');
    expect(start('Hvorfor fejler 10:02 og 10:05?')).toBeUndefined();
    expect(start('Hvorfor fejler det kl. 10:02:30?')).toBeUndefined();
  });
  it('reads "since <time>" in the languages that got a catalogue later, with a second time in the question', () => {
    const start = startReader('2025-06-03T10:06:00Z');
    // Each names a second time (the deploy at 09:58), so a lone HH:MM cannot decide: the "since" word must.
    const cases: Array<[string, string]> = [
      ['لماذا تفشل الطلبات منذ 10:04؟ كان النشر في 09:58', '10:04'],
      ['لماذا تفشل الطلبات منذ الساعة 10:04 بعد نشر 09:58؟', '10:04'],
      ['नया डिप्लॉय 09:58 पर हुआ, 10:04 से ऑर्डर क्यों विफल हो रहे हैं?', '10:04'],
      ['डिप्लॉय 09:58 पर, 10 बजे से checkout धीमा क्यों है?', '10:00'],
      ['Varför misslyckas beställningar sedan 10:04? Driftsättningen var 09:58', '10:04'],
      ['Varför är checkout långsam sedan kl. 10:04 (deploy 09:58)?', '10:04'],
      ['Proč objednávky selhávají od 10:04? Nasazení bylo v 09:58', '10:04'],
      ['De ce eșuează comenzile din 10:04? Lansarea a fost la 09:58', '10:04'],
      ['De ce eșuează comenzile de la ora 10:04, după lansarea de la 09:58?', '10:04'],
      ['Γιατί αποτυγχάνουν οι παραγγελίες από τις 10:04; Το deploy ήταν στις 09:58', '10:04'],
      ['למה ההזמנות נכשלות מאז 10:04? הפריסה הייתה ב-09:58', '10:04'],
      ['למה ההזמנות נכשלות מהשעה 10:04 (פריסה 09:58)?', '10:04'],
      ['Tại sao đơn hàng lỗi từ 10:04? Deploy lúc 09:58', '10:04'],
      ['Tại sao đơn hàng lỗi từ lúc 10h04 (deploy 09:58)?', '10:04'],
      ['Kenapa pesanan gagal sejak 10:04? Deploy jam 09:58', '10:04'],
      ['Kenapa pesanan gagal sejak pukul 10.04 setelah deploy 09:58?', '10:04'],
      ['ทำไมคำสั่งซื้อล้มเหลวตั้งแต่ 10:04 หลัง deploy 09:58', '10:04'],
      ['ทำไมคำสั่งซื้อล้มเหลวตั้งแต่เวลา 10.04 น. (deploy 09:58)', '10:04'],
      ['Hvorfor fejler ordrer siden kl. 10.04? Udrulning 09:58', '10:04'],
      ['Miksi tilaukset epäonnistuvat klo 10.04 lähtien? Käyttöönotto 09:58', '10:04'],
      ['Miért hiúsulnak meg a rendelések 10:04 óta? Telepítés 09:58', '10:04'],
    ];
    for (const [q, hhmm] of cases) expect(start(q), q).toBe(hhmm);
    // "से" is a postposition, not the start of सेवा ("service"): the 10:04 there is a lone time among two.
    expect(start('10:04 सेवा 09:58 क्यों')).toBeUndefined();
    // A dot time is only read after a "since" word, and never as a decimal with more digits.
    expect(start('Kenapa latensi naik 10.045 kali sejak deploy?')).toBeUndefined();
  });
});
