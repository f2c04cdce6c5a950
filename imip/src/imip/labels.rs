//! Translated labels for the built-in invitation texts, picked by the recipient's
//! language tag (BCP 47, e.g. `de-AT` uses `de`), English when the language is unknown.
//!
//! A small table is enough here: the texts are a handful of words around data the
//! organizer wrote, and a calendar that needs more writes its own templates.

use serde_json::{Value, json};

/// The labels of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Labels {
    pub lang: &'static str,
    pub invitation: &'static str,
    pub cancelled: &'static str,
    pub updated_intro: &'static str,
    pub invited_by: &'static str,
    pub cancelled_by: &'static str,
    pub when: &'static str,
    pub where_: &'static str,
    pub organizer: &'static str,
    pub description: &'static str,
    pub all_day: &'static str,
    pub no_title: &'static str,
    pub reply_hint: &'static str,
    pub cancel_hint: &'static str,
    pub web_reply: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub maybe: &'static str,
}

const EN: Labels = Labels {
    lang: "en",
    invitation: "Invitation",
    cancelled: "Cancelled",
    updated_intro: "You are invited to this event.",
    invited_by: "invited you",
    cancelled_by: "cancelled this event",
    when: "When",
    where_: "Where",
    organizer: "Organizer",
    description: "Description",
    all_day: "all day",
    no_title: "(no title)",
    reply_hint: "Reply with your calendar's Yes / No / Maybe buttons.",
    cancel_hint: "This event has been cancelled and removed from your calendar.",
    web_reply: "No buttons in your mail app? Answer here:",
    yes: "Yes",
    no: "No",
    maybe: "Maybe",
};

const DE: Labels = Labels {
    lang: "de",
    invitation: "Einladung",
    cancelled: "Abgesagt",
    updated_intro: "Sie sind zu diesem Termin eingeladen.",
    invited_by: "hat Sie eingeladen",
    cancelled_by: "hat diesen Termin abgesagt",
    when: "Wann",
    where_: "Wo",
    organizer: "Organisator",
    description: "Beschreibung",
    all_day: "ganztägig",
    no_title: "(ohne Titel)",
    reply_hint: "Antworten Sie mit den Schaltflächen Ja / Nein / Vielleicht Ihres Kalenders.",
    cancel_hint: "Dieser Termin wurde abgesagt und aus Ihrem Kalender entfernt.",
    web_reply: "Keine Schaltflächen in Ihrem Mailprogramm? Antworten Sie hier:",
    yes: "Ja",
    no: "Nein",
    maybe: "Vielleicht",
};

const ES: Labels = Labels {
    lang: "es",
    invitation: "Invitación",
    cancelled: "Cancelado",
    updated_intro: "Está invitado a este evento.",
    invited_by: "le ha invitado",
    cancelled_by: "ha cancelado este evento",
    when: "Cuándo",
    where_: "Dónde",
    organizer: "Organizador",
    description: "Descripción",
    all_day: "todo el día",
    no_title: "(sin título)",
    reply_hint: "Responda con los botones Sí / No / Quizás de su calendario.",
    cancel_hint: "Este evento se ha cancelado y se ha eliminado de su calendario.",
    web_reply: "¿Su correo no muestra botones? Responda aquí:",
    yes: "Sí",
    no: "No",
    maybe: "Quizás",
};

const FR: Labels = Labels {
    lang: "fr",
    invitation: "Invitation",
    cancelled: "Annulé",
    updated_intro: "Vous êtes invité à cet événement.",
    invited_by: "vous a invité",
    cancelled_by: "a annulé cet événement",
    when: "Quand",
    where_: "Où",
    organizer: "Organisateur",
    description: "Description",
    all_day: "toute la journée",
    no_title: "(sans titre)",
    reply_hint: "Répondez avec les boutons Oui / Non / Peut-être de votre agenda.",
    cancel_hint: "Cet événement a été annulé et retiré de votre agenda.",
    web_reply: "Pas de boutons dans votre messagerie ? Répondez ici :",
    yes: "Oui",
    no: "Non",
    maybe: "Peut-être",
};

const JA: Labels = Labels {
    lang: "ja",
    invitation: "招待",
    cancelled: "キャンセル",
    updated_intro: "この予定に招待されています。",
    invited_by: "さんがあなたを招待しました",
    cancelled_by: "さんがこの予定をキャンセルしました",
    when: "日時",
    where_: "場所",
    organizer: "主催者",
    description: "説明",
    all_day: "終日",
    no_title: "(タイトルなし)",
    reply_hint: "カレンダーの「はい / いいえ / 未定」ボタンで返信してください。",
    cancel_hint: "この予定はキャンセルされ、カレンダーから削除されました。",
    web_reply: "メールアプリにボタンが表示されない場合は、こちらから回答してください:",
    yes: "はい",
    no: "いいえ",
    maybe: "未定",
};

static ALL: [Labels; 5] = [EN, DE, ES, FR, JA];

/// The labels for a language tag, English when none matches.
pub(crate) fn for_lang(tag: &str) -> &'static Labels {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    ALL.iter()
        .find(|l| l.lang.eq_ignore_ascii_case(primary))
        .unwrap_or(&ALL[0])
}

impl Labels {
    /// The labels as the `t` object templates see.
    pub(crate) fn template_value(&self) -> Value {
        json!({
            "lang": self.lang,
            "invitation": self.invitation,
            "cancelled": self.cancelled,
            "intro": self.updated_intro,
            "invited_by": self.invited_by,
            "cancelled_by": self.cancelled_by,
            "when": self.when,
            "where": self.where_,
            "organizer": self.organizer,
            "description": self.description,
            "all_day": self.all_day,
            "no_title": self.no_title,
            "reply_hint": self.reply_hint,
            "cancel_hint": self.cancel_hint,
            "web_reply": self.web_reply,
            "yes": self.yes,
            "no": self.no,
            "maybe": self.maybe,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_tag_uses_its_language_and_an_unknown_one_english() {
        assert_eq!(for_lang("de-AT").lang, "de");
        assert_eq!(for_lang("FR").lang, "fr");
        assert_eq!(for_lang("ja_JP").lang, "ja");
        assert_eq!(for_lang("xx").lang, "en");
        assert_eq!(for_lang("").lang, "en");
    }
}
