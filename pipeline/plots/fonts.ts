/** Advance widths of Helvetica (= Arial, Liberation Sans) for ASCII 32..126, in 1/1000 em (Adobe AFM). */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];
const HELVETICA_OTHER: Record<string, number> = { '×': 584, '–': 556, '—': 1000, '≤': 549, '≥': 549, '…': 1000 };

/** Text width in px of a text item (font size, weight), for the renderer's layout; bold is taken as 7% wider than regular. */
export function textWidth(item: { fontSize?: number; fontWeight?: string | number; text?: unknown }, text?: unknown): number {
  const value = String(text ?? item.text ?? '').trim();
  const size = item.fontSize ?? 11;
  let em = 0;
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    em += (code >= 32 && code <= 126 ? HELVETICA[code - 32] : HELVETICA_OTHER[ch]) ?? 600;
  }
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return (em / 1000) * size * (bold ? 1.07 : 1);
}
