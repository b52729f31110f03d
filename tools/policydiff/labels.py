"""The words of a page's controls, by language: what a reader clicks, never policy text.

Two kinds, because their risk differs:

- `UI_PHRASES`: labels specific enough that a block, a line or a title consisting of one is
  a control wherever it sits ("Back to top", "Download PDF version", "Masquer les
  exemples", "Nach oben"). Extraction drops them; the segmenter never takes one for a
  section title.
- `CONTROL_WORDS`: one-word labels ("Print", "Show", "Menu", "Language") that are also
  ordinary words and even clause titles ("Language" in terms of service). They count only
  as the whole text of a control: a link, a button, a `<summary>`, an element with a
  button role.

Both are compared after `label_key`: case folded, arrows, bullets and brackets around the
words dropped. Languages: those of the corpus (en, fr, de) and the nearby es, it, nl, pt.
`LANGUAGE_NAMES` are the names languages give themselves, as a language picker lists them.
"""

from __future__ import annotations

import re

_RAW_PHRASES = (
    {
        # en
        "back to top", "go to top", "return to top", "scroll to top", "jump to top", "to top", "top of page",
        "back to the top", "go back to top", "return to the top", "top of the page",
        "skip to content", "skip to main content", "skip navigation", "skip to navigation", "skip to footer",
        "show examples", "hide examples", "show example", "hide example", "show more", "show less",
        "read more", "read less", "see more", "see less", "expand all", "collapse all", "show all", "hide all",
        "see details", "show details", "hide details", "view details", "more details",
        "toggle navigation", "open menu", "close menu", "main menu", "open navigation", "close navigation",
        "print this page", "print page", "print this policy", "printer-friendly version", "printer friendly version",
        "printable version", "print version",
        "download pdf", "download pdf version", "download as pdf", "download the pdf", "download a pdf",
        "download pdf file", "download this policy", "download policy", "save as pdf", "pdf version",
        "share this page", "email this page", "copy link", "copy the link",
        "select language", "select a language", "choose language", "choose a language", "change language",
        "select your language", "choose your language", "language selector",
        "opens in a new window", "opens in new window", "opens in a new tab", "opens in new tab",
        "open in a new window", "link opens in a new window", "external link",
        "accept all", "reject all", "accept all cookies", "reject all cookies", "decline all",
        "cookie settings", "cookies settings", "manage cookies", "manage preferences", "manage cookie preferences",
        "customize settings", "customise settings",
        # fr
        "retour en haut", "retour en haut de page", "haut de page", "revenir en haut", "remonter en haut",
        "retour au début", "aller au contenu", "aller au contenu principal", "passer au contenu",
        "passer au contenu principal", "afficher les exemples", "masquer les exemples", "voir les exemples",
        "cacher les exemples", "voir plus", "voir moins", "lire la suite", "afficher plus", "afficher moins",
        "tout afficher", "tout masquer", "tout développer", "tout réduire", "voir les détails",
        "afficher les détails", "masquer les détails",
        "imprimer cette page", "imprimer la page", "version imprimable", "imprimer ce document",
        "télécharger le pdf", "télécharger en pdf", "télécharger la version pdf", "télécharger au format pdf",
        "version pdf", "partager cette page", "copier le lien",
        "choisir la langue", "sélectionner la langue", "changer de langue", "choisissez votre langue",
        "sélectionnez votre langue", "s'ouvre dans une nouvelle fenêtre", "ouvre une nouvelle fenêtre",
        "nouvelle fenêtre", "s'ouvre dans un nouvel onglet", "ouvre un nouvel onglet",
        "tout accepter", "tout refuser", "paramètres des cookies", "gérer les cookies", "gérer mes préférences",
        "personnaliser les cookies",
        # de
        "nach oben", "zurück nach oben", "zum seitenanfang", "nach oben scrollen", "zurück zum anfang",
        "zum inhalt springen", "zum hauptinhalt springen", "direkt zum inhalt", "zum inhalt",
        "beispiele anzeigen", "beispiele ausblenden", "beispiele einblenden", "mehr anzeigen", "weniger anzeigen",
        "mehr lesen", "details anzeigen", "details ausblenden", "mehr details",
        "alle anzeigen", "alle ausklappen", "alle einklappen", "alles ausklappen", "alles einklappen",
        "seite drucken", "diese seite drucken", "druckversion", "druckansicht",
        "pdf herunterladen", "als pdf herunterladen", "pdf-version herunterladen", "pdf version herunterladen",
        "pdf-version", "seite teilen", "link kopieren",
        "sprache wählen", "sprache auswählen", "sprache ändern", "wählen sie ihre sprache",
        "öffnet in einem neuen fenster", "öffnet sich in einem neuen fenster", "öffnet in neuem fenster",
        "neues fenster", "öffnet in einem neuen tab", "öffnet sich in einem neuen tab",
        "alle akzeptieren", "alle ablehnen", "cookie-einstellungen", "cookie einstellungen", "cookies verwalten",
        "einstellungen verwalten",
        # es, it, nl, pt
        "volver arriba", "ir arriba", "volver al inicio", "descargar pdf", "seleccionar idioma", "imprimir página",
        "se abre en una nueva ventana", "aceptar todo", "rechazar todo",
        "torna su", "torna all'inizio", "torna in alto", "scarica pdf", "seleziona lingua", "stampa pagina",
        "si apre in una nuova finestra", "accetta tutto", "rifiuta tutto",
        "naar boven", "terug naar boven", "download pdf-versie", "taal kiezen", "kies je taal",
        "opent in een nieuw venster", "alles accepteren", "alles weigeren",
        "voltar ao topo", "voltar para o topo", "baixar pdf", "selecionar idioma", "abre em uma nova janela",
        "aceitar tudo", "rejeitar tudo",
    }
)  # fmt: skip

_RAW_WORDS = (
    {
        "top", "print", "download", "pdf", "share", "show", "hide", "toggle", "menu", "close", "expand", "collapse",
        "more", "less", "language", "languages", "next", "previous", "back", "accept", "decline", "reject", "dismiss",
        "ok", "agree", "subscribe", "search", "tweet",
        "haut", "imprimer", "télécharger", "partager", "afficher", "masquer", "fermer", "langue", "langues", "suivant",
        "précédent", "retour", "accepter", "refuser", "rechercher",
        "oben", "drucken", "herunterladen", "teilen", "anzeigen", "ausblenden", "einblenden", "schließen", "menü",
        "sprache", "sprachen", "weiter", "zurück", "akzeptieren", "ablehnen", "suchen",
        "imprimir", "descargar", "compartir", "mostrar", "ocultar", "cerrar", "idioma",
        "stampa", "scarica", "condividi", "mostra", "nascondi", "chiudi", "lingua",
        "afdrukken", "delen", "sluiten", "taal", "baixar", "fechar",
    }
)  # fmt: skip

_RAW_LANGUAGES = (
    {
        "english", "deutsch", "français", "francais", "español", "espanol", "italiano", "português", "portugues",
        "nederlands", "polski", "русский", "日本語", "简体中文", "繁體中文", "繁体中文", "中文", "한국어", "türkçe",
        "svenska", "dansk", "norsk", "suomi", "čeština", "magyar", "română", "ελληνικά", "العربية", "עברית",
        "हिन्दी", "ไทย", "tiếng việt", "bahasa indonesia", "bahasa melayu", "українська", "български", "hrvatski",
        "slovenčina", "slovenščina", "srpski", "eesti", "latviešu", "lietuvių", "català", "galego", "euskara",
        "english (us)", "english (uk)", "português (brasil)", "español (españa)", "español (latinoamérica)",
        "deutsch (deutschland)", "français (france)", "français (canada)", "filipino", "íslenska",
        "en", "de", "fr", "es", "it", "nl", "pt", "pl", "ru", "ja", "zh", "ko", "tr", "sv", "da", "no", "fi",
    }
)  # fmt: skip

# Decoration around a label: arrows, carets, bullets, brackets, a trailing colon.
_DECORATION = re.compile(r"[\s↑↓←→⇧⬆▲▼△▽^«»›‹>|•·*()\[\]{}:…+×✕\-–—]+")
_MAX_LABEL_CHARS = 60
# A longer text is never a label nor a language name: `label_key` makes no key of it.
MAX_LABEL_TEXT = 4 * _MAX_LABEL_CHARS


def label_key(text: str) -> str:
    """A label as compared: case folded, decoration dropped, inner spaces single."""
    if len(text) > MAX_LABEL_TEXT:
        return ""
    return " ".join(_DECORATION.sub(" ", text.replace("’", "'")).casefold().split())


UI_PHRASES = frozenset(map(label_key, _RAW_PHRASES))
CONTROL_WORDS = frozenset(map(label_key, _RAW_WORDS))
LANGUAGE_NAMES = frozenset(map(label_key, _RAW_LANGUAGES))


# The first word of every label and language name: a cheap test before `label_key`.
FIRST_WORDS = frozenset(key.split()[0] for key in UI_PHRASES | CONTROL_WORDS | LANGUAGE_NAMES)
_LEADING = "".join(sorted(set("↑↓←→⇧⬆▲▼△▽^«»›‹>|•·*()[]{}:…+×✕-–— \t\n\r\xa0")))


def may_be_label(text: str) -> bool:
    """False when `text` cannot be a label or a language name (its first word starts none)."""
    words = text[:MAX_LABEL_TEXT].strip(_LEADING).split(None, 1)
    return bool(words) and words[0].casefold().rstrip(_LEADING).replace("’", "'") in FIRST_WORDS


def is_ui_phrase(text: str) -> bool:
    """A block, a line or a title that consists of a control's label only."""
    key = label_key(text)
    return bool(key) and len(key) <= _MAX_LABEL_CHARS and key in UI_PHRASES


def is_control_label(text: str) -> bool:
    """The whole text of a link or button that is a control (a phrase or a generic word)."""
    key = label_key(text)
    return bool(key) and len(key) <= _MAX_LABEL_CHARS and (key in UI_PHRASES or key in CONTROL_WORDS)


def is_language_name(text: str) -> bool:
    key = label_key(text)
    return bool(key) and key in LANGUAGE_NAMES
