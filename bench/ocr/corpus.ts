/**
 * Words and short sentences the OCR bench renders, written for it, in three languages. German and French
 * keep their accents (ä ö ü ß, é è ê à ç ô…): PP-OCRv4's dictionary lacks several of them.
 */
export const CORPUS: Record<'en' | 'de' | 'fr', string[]> = {
  en: [
    'Invoice', 'Total due', 'Main Street', 'Platform 4', 'Emergency exit', 'Opening hours 9 to 5',
    'Please keep the door closed', 'Meeting room seven', 'Fresh bread every morning', 'No parking on weekdays',
    'Quarterly report 2023', 'Order number 58213', 'Welcome to the library', 'Summer concert tonight',
    'Turn left at the bridge', 'Coffee and tea', 'The quick brown fox jumps', 'Return by Friday',
    'Lost and found', 'Check in at the front desk', 'Battery low', 'Save changes before closing',
    'Ticket valid for one ride', 'Garden centre', 'Call us at 555 0199', 'Free wifi inside',
    'Handle with care', 'Departure gate B12', 'Keep out of reach of children', 'Sale ends Sunday',
    'Password expired', 'Downtown shuttle', 'Mind the gap', 'Daily specials', 'Push to open',
  ],
  de: [
    'Rechnung', 'Ausgang', 'Hauptstraße', 'Größe und Gewicht', 'Bitte nicht stören', 'Öffnungszeiten',
    'Frische Brötchen', 'Bahnhof in 200 Metern', 'Nur für Mitarbeiter', 'Schöne Grüße aus München',
    'Zahlung bis Freitag', 'Bitte Tür schließen', 'Küche und Bad', 'Gepäckaufbewahrung', 'Fußgängerzone',
    'Haltestelle Rathaus', 'Übersicht der Termine', 'Vorsicht Stufe', 'Heute geschlossen', 'Straßenbahn Linie 5',
    'Kostenlose Parkplätze', 'Bücherei im ersten Stock', 'Ärztlicher Notdienst', 'Wir sind gleich zurück',
    'Die Sitzung beginnt um neun', 'Grüner Tee', 'Bestellung abgeschickt', 'Weiß und blau', 'Rückgabe bis Montag',
    'Süße Äpfel', 'Gültig bis Ende Mai', 'Nächster Halt', 'Eingang links', 'Täglich frisch', 'Ruhe bitte',
  ],
  fr: [
    'Facture', 'Sortie de secours', 'Rue principale', 'Gare centrale', 'Fermé le dimanche', 'Café et thé',
    'Bienvenue à la bibliothèque', 'Réunion à neuf heures', 'Pâtisserie française', 'Défense de fumer',
    'Prochain arrêt', 'Garçon de café', 'Leçon de français', 'Entrée libre', 'Hôtel de ville',
    'Rez de chaussée', 'Ouvert tous les jours', 'À bientôt', 'Accès réservé au personnel', 'Très bien merci',
    'Numéro de commande 4821', 'Fenêtre sur cour', 'Voie ferrée', 'Crème brûlée', 'Forêt enchantée',
    'Le train part à midi', 'Première classe', 'Sur place ou à emporter', 'Noël en famille', 'Où est la gare',
    'Prix très bas', 'Déjà vu', 'Marché aux fleurs', 'Fête de la musique', 'Ça va bien',
  ],
};

/** Phrases for the search part: each screenshot carries one, unique to it. */
export function searchPhrase(i: number): string {
  const a = ['amber', 'silver', 'quiet', 'rapid', 'hidden', 'golden', 'frozen', 'gentle', 'crimson', 'hollow'];
  const b = ['harbor', 'ledger', 'falcon', 'meadow', 'beacon', 'canyon', 'lantern', 'orchard', 'summit', 'voyage'];
  return `${a[i % 10]} ${b[Math.floor(i / 10) % 10]} ${1000 + i * 37}`;
}
