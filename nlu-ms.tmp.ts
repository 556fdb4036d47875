import { Culture, DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
const m = { en: new DateTimeRecognizer(Culture.English).getDateTimeModel(), fr: new DateTimeRecognizer(Culture.French).getDateTimeModel() };
const ref = new Date(2027, 2, 6, 10, 0, 0); // Saturday 6 March 2027 10:00
const list: [ 'en'|'fr', string][] = [['en','monday evening'],['en','monday'],['en','tomorrow after lunch'],['en','in two weeks'],['en','next month'],['en','the weekend'],['en','this weekend'],['en','late March'],['en','end of March'],['en','first thing tomorrow'],['en','end of the day'],
['fr','dans quinze jours'],['fr','dans 2 semaines'],['fr','le mois prochain'],['fr','apres demain'],['fr','après-demain'],['fr','jeudi en fin de matinée'],['fr','fin mars'],['fr','ce week-end'],['fr','non, mardi'],['en','showroom visit in Paris next Wednesday at 11am'],['fr','jeudi matin'],['fr','besoin d\'une visite à domicile à Lyon jeudi matin'],['fr','en fin de journée'],['fr','lundi soir'],['en','change the time to Friday at 10'],['en','actually, tomorrow instead'],['fr','mardi'],['fr','lundi']];
for (const [loc, t] of list) {
  try {
    const r = m[loc].parse(t, ref);
    console.log(loc, t, '=>', JSON.stringify(r.map(x => [x.text, x.typeName, x.resolution?.values])));
  } catch (e) { console.log(loc, t, 'THROWS', String(e)); }
}
