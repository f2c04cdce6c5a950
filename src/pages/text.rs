//! The words of the public pages in English, German, Spanish, French and Japanese, and
//! the choice of language: `?lang=` first, then the browser's Accept-Language, then
//! English. A table, like the invitation labels in imip: the pages are a few sentences
//! around the organizer's own data.

use serde_json::{Value, json};

pub const LANGS: [&str; 5] = ["en", "de", "es", "fr", "ja"];

/// The supported language for `?lang=` or an Accept-Language header.
pub fn negotiate(query_lang: Option<&str>, accept_language: Option<&str>) -> &'static str {
    let primary = |tag: &str| -> Option<&'static str> {
        let p = tag
            .trim()
            .split(['-', '_', ';'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        LANGS.iter().copied().find(|l| *l == p)
    };
    if let Some(l) = query_lang.and_then(primary) {
        return l;
    }
    // RFC 9110 §12.5.4: highest q first; equal q keeps the listed order.
    let mut ranges: Vec<(f32, usize, &str)> = accept_language
        .unwrap_or("")
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.iter().find_map(|(_, _, t)| primary(t)).unwrap_or("en")
}

/// The texts of one language, as the page templates see them (`t.key`).
pub fn texts(lang: &str) -> Value {
    match lang {
        "de" => json!({
            "email_label": "Ihre E-Mail-Adresse",
            "send_one": "Einladung senden",
            "send_many": "Einladungen senden",
            "will_one": "Sie erhalten eine Kalendereinladung an diese Adresse.",
            "will_many": "Sie erhalten eine Kalendereinladung pro Termin an diese Adresse.",
            "choose": "Wählen Sie die Termine:",
            "sent": "Erledigt: Die Einladung ist unterwegs an",
            "sent_many": "Erledigt: Einladungen sind unterwegs an",
            "already": "Bereits gesendet: Diese Adresse hat die Einladung schon erhalten. Sehen Sie in Ihrem Posteingang (und im Spam-Ordner) nach.",
            "cancelled": "Abgesagt",
            "event_cancelled": "Dieser Termin wurde abgesagt.",
            "when": "Wann",
            "where": "Wo",
            "your_time": "In Ihrer Zeitzone",
            "sending": "Ihre Einladung wird gesendet …",
            "invalid_link": "Dieser Link ist ungültig. Er wurde vielleicht verändert oder abgeschnitten; bitten Sie den Absender um einen neuen.",
            "invalid_title": "Link ungültig",
            "too_many_title": "Zu viele Anfragen",
            "too_many": "Zu viele Anfragen von hier oder für diese Adresse. Bitte warten Sie einige Minuten und versuchen Sie es erneut.",
            "error": "Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es in einer Minute erneut.",
            "not_found": "Diese Seite gibt es nicht.",
            "bad_address": "An diese Adresse können wir nicht senden. Bitte prüfen Sie sie.",
            "nothing_chosen": "Bitte wählen Sie mindestens einen Termin.",
            "nothing_left": "Es gibt nichts mehr zu senden: Alle Termine sind abgesagt.",
            "get_title": "Einladung erhalten",
            "answer_title": "Ihre Antwort",
            "accepted": "Ja", "declined": "Nein", "tentative": "Vielleicht",
            "answer_button": "Antwort senden",
            "recorded": "Ihre Antwort wurde gespeichert:",
        }),
        "es" => json!({
            "email_label": "Su dirección de correo",
            "send_one": "Enviarme la invitación",
            "send_many": "Enviarme las invitaciones",
            "will_one": "Recibirá una invitación de calendario en esta dirección.",
            "will_many": "Recibirá una invitación de calendario por evento en esta dirección.",
            "choose": "Elija los eventos:",
            "sent": "Hecho: la invitación va de camino a",
            "sent_many": "Hecho: las invitaciones van de camino a",
            "already": "Ya enviada: esta dirección ya recibió la invitación. Revise su bandeja de entrada (y la carpeta de spam).",
            "cancelled": "Cancelado",
            "event_cancelled": "Este evento está cancelado.",
            "when": "Cuándo",
            "where": "Dónde",
            "your_time": "En su zona horaria",
            "sending": "Enviando su invitación…",
            "invalid_link": "Este enlace no es válido. Puede haberse modificado o cortado; pida uno nuevo al remitente.",
            "invalid_title": "Enlace no válido",
            "too_many_title": "Demasiadas solicitudes",
            "too_many": "Demasiadas solicitudes desde aquí o para esta dirección. Espere unos minutos y vuelva a intentarlo.",
            "error": "Algo falló de nuestro lado. Inténtelo de nuevo en un minuto.",
            "not_found": "Esta página no existe.",
            "bad_address": "No podemos enviar a esta dirección. Revísela.",
            "nothing_chosen": "Elija al menos un evento.",
            "nothing_left": "No queda nada por enviar: todos los eventos están cancelados.",
            "get_title": "Recibir la invitación",
            "answer_title": "Su respuesta",
            "accepted": "Sí", "declined": "No", "tentative": "Quizás",
            "answer_button": "Enviar mi respuesta",
            "recorded": "Su respuesta se ha registrado:",
        }),
        "fr" => json!({
            "email_label": "Votre adresse e-mail",
            "send_one": "M’envoyer l’invitation",
            "send_many": "M’envoyer les invitations",
            "will_one": "Vous recevrez une invitation d’agenda à cette adresse.",
            "will_many": "Vous recevrez une invitation d’agenda par événement à cette adresse.",
            "choose": "Choisissez les événements :",
            "sent": "C’est fait : l’invitation est en route vers",
            "sent_many": "C’est fait : les invitations sont en route vers",
            "already": "Déjà envoyée : cette adresse a déjà reçu l’invitation. Consultez votre boîte de réception (et les indésirables).",
            "cancelled": "Annulé",
            "event_cancelled": "Cet événement est annulé.",
            "when": "Quand",
            "where": "Où",
            "your_time": "Dans votre fuseau horaire",
            "sending": "Envoi de votre invitation…",
            "invalid_link": "Ce lien n’est pas valide. Il a peut-être été modifié ou coupé ; demandez-en un nouveau à l’expéditeur.",
            "invalid_title": "Lien non valide",
            "too_many_title": "Trop de demandes",
            "too_many": "Trop de demandes depuis cet endroit ou pour cette adresse. Patientez quelques minutes puis réessayez.",
            "error": "Une erreur s’est produite de notre côté. Réessayez dans une minute.",
            "not_found": "Cette page n’existe pas.",
            "bad_address": "Nous ne pouvons pas envoyer à cette adresse. Vérifiez-la.",
            "nothing_chosen": "Choisissez au moins un événement.",
            "nothing_left": "Plus rien à envoyer : tous les événements sont annulés.",
            "get_title": "Recevoir l’invitation",
            "answer_title": "Votre réponse",
            "accepted": "Oui", "declined": "Non", "tentative": "Peut-être",
            "answer_button": "Envoyer ma réponse",
            "recorded": "Votre réponse a été enregistrée :",
        }),
        "ja" => json!({
            "email_label": "メールアドレス",
            "send_one": "招待を受け取る",
            "send_many": "招待をまとめて受け取る",
            "will_one": "このアドレスにカレンダー招待が1通届きます。",
            "will_many": "このアドレスに予定ごとに1通ずつカレンダー招待が届きます。",
            "choose": "予定を選んでください:",
            "sent": "完了しました。招待の送信先:",
            "sent_many": "完了しました。招待の送信先:",
            "already": "送信済みです。このアドレスには既に招待を送りました。受信トレイ(と迷惑メールフォルダ)をご確認ください。",
            "cancelled": "中止",
            "event_cancelled": "この予定は中止になりました。",
            "when": "日時",
            "where": "場所",
            "your_time": "あなたのタイムゾーンでは",
            "sending": "招待を送信しています…",
            "invalid_link": "このリンクは無効です。変更されたか途中で切れている可能性があります。送信者に新しいリンクを依頼してください。",
            "invalid_title": "無効なリンク",
            "too_many_title": "リクエストが多すぎます",
            "too_many": "この場所またはこのアドレスからのリクエストが多すぎます。数分待ってからもう一度お試しください。",
            "error": "サーバー側で問題が発生しました。1分後にもう一度お試しください。",
            "not_found": "このページは存在しません。",
            "bad_address": "このアドレスには送信できません。ご確認ください。",
            "nothing_chosen": "予定を1つ以上選んでください。",
            "nothing_left": "送信できる予定はありません。すべて中止になりました。",
            "get_title": "招待を受け取る",
            "answer_title": "出欠の回答",
            "accepted": "はい", "declined": "いいえ", "tentative": "未定",
            "answer_button": "回答を送信",
            "recorded": "回答を記録しました:",
        }),
        _ => json!({
            "email_label": "Your email address",
            "send_one": "Send me the invitation",
            "send_many": "Send me the invitations",
            "will_one": "You will receive one calendar invitation at this address.",
            "will_many": "You will receive one calendar invitation per event at this address.",
            "choose": "Choose the events:",
            "sent": "Done: the invitation is on its way to",
            "sent_many": "Done: the invitations are on their way to",
            "already": "Already sent: this address has received the invitation before. Check your inbox (and the spam folder).",
            "cancelled": "Cancelled",
            "event_cancelled": "This event is cancelled.",
            "when": "When",
            "where": "Where",
            "your_time": "In your time zone",
            "sending": "Sending your invitation…",
            "invalid_link": "This link is not valid. It may have been changed or cut off; ask the sender for a new one.",
            "invalid_title": "Link not valid",
            "too_many_title": "Too many requests",
            "too_many": "Too many requests from here or for this address. Please wait a few minutes and try again.",
            "error": "Something went wrong on our side. Please try again in a minute.",
            "not_found": "This page does not exist.",
            "bad_address": "We cannot send to this address. Please check it.",
            "nothing_chosen": "Choose at least one event.",
            "nothing_left": "There is nothing left to send: every event is cancelled.",
            "get_title": "Get the invitation",
            "answer_title": "Your answer",
            "accepted": "Yes", "declined": "No", "tentative": "Maybe",
            "answer_button": "Send my answer",
            "recorded": "Your answer was recorded:",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_wins_then_the_best_accepted_language() {
        assert_eq!(negotiate(Some("ja"), Some("de")), "ja");
        assert_eq!(negotiate(Some("xx"), Some("fr-CA,fr;q=0.9")), "fr");
        assert_eq!(negotiate(None, Some("nl;q=1, de;q=0.5, es;q=0.8")), "es");
        assert_eq!(negotiate(None, Some("*")), "en");
        assert_eq!(negotiate(None, None), "en");
    }

    #[test]
    fn every_language_has_every_text() {
        let keys: Vec<String> = texts("en").as_object().unwrap().keys().cloned().collect();
        for lang in LANGS {
            let t = texts(lang);
            for k in &keys {
                assert!(t.get(k).is_some(), "{lang} lacks {k}");
            }
        }
    }
}
