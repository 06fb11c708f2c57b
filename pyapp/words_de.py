"""German: every key of :data:`pyapp.words.ENGLISH`, with the same ``{placeholders}``.

Loaded only when a page speaks German (see :func:`pyapp.words.choose_language`).
"""

from __future__ import annotations

GERMAN: dict[str, str] = {
    "login-button": "Mit Speckle anmelden",
    "logout-button": "Abmelden",
    "cancel-button": "Abbrechen",
    "stay-signed-in": "Auf diesem Gerät angemeldet bleiben",
    "popup-wait": "Melden Sie sich im Speckle-Fenster weiter an.",
    "popup-detached": ("Das Speckle-Fenster meldet sich nicht mehr bei dieser Seite; wenn Sie "
                       "es schließen, endet das Warten nicht. Melden Sie sich dort fertig an "
                       "oder brechen Sie ab."),
    "signed-in-name": "Angemeldet",
    "signed-out-notice": "Sie sind abgemeldet.",
    "back-link": "Zurück zur vorherigen Seite",
    "checking-session": "Ihre Sitzung wird geprüft…",
    "server-name": "auf {server}",
    "projects-heading": "Projekte",
    "project-count": "({shown} von {total})",
    "project-updated": "aktualisiert am {date}",
    "role-owner": "Eigentümer",
    "role-contributor": "Mitwirkende",
    "role-reviewer": "Prüfende",
    "visibility-public": "öffentlich",
    "visibility-private": "privat",
    "visibility-unlisted": "nicht gelistet",
    "visibility-workspace": "Arbeitsbereich",
    "load-more": "Mehr laden",
    "more-loaded": "{added} weitere Projekte geladen, {shown} von {total} angezeigt.",
    "completing": "Sie werden angemeldet…",
    "returning": "Angemeldet. Sie werden zurückgeleitet…",
    "action-back": "Zurück zur App",
    "action-login": "Erneut anmelden",
    "action-retry": "Erneut versuchen",
    "action-fix": "Zurück zu den Einstellungen",
    "loading-download": "Python wird heruntergeladen…",
    "loading-bytes": "Python wird heruntergeladen: {loaded} MB",
    "loading-bytes-of": "Python wird heruntergeladen: {loaded} von {total} MB",
    "loading-start": "Python wird gestartet…",
    "loading-app": "Die App wird gestartet…",
    "loading-progress": "Ladefortschritt",
    "load-failed-title": "Python konnte nicht geladen werden",
    "load-failed-page-title": "Diese Seite konnte nicht geladen werden",
    "load-failed-callback-title": "Die Anmeldung konnte nicht abgeschlossen werden",
    "load-crashed-title": "Die App konnte nicht starten",
    "load-framed-title": "Öffnen Sie diese Seite in einem eigenen Tab",
    "load-missing": ("Eine Datei, die diese Seite braucht, fehlt auf der Website; neu laden "
                     "hilft daher nicht. Der Betreiber der Website kann das beheben."),
    "load-network": ("Eine Datei, die diese Seite braucht, ist nicht angekommen. Prüfen Sie "
                     "Ihre Verbindung und laden Sie die Seite neu."),
    "load-stalled": ("Das Laden kommt nicht mehr voran. Prüfen Sie Ihre Verbindung und laden "
                     "Sie die Seite neu."),
    "load-unsupported": ("Dieser Browser kann diese Seite nicht ausführen. Versuchen Sie eine "
                         "aktuelle Version von Chrome, Firefox, Safari oder Edge."),
    "load-crashed": ("Laden Sie die Seite neu; passiert es wieder, findet der Betreiber der "
                     "Website Details in der Browserkonsole."),
    "load-framed": ("Zu Ihrer Sicherheit funktioniert die Anmeldung nur auf der Seite der "
                    "Website selbst, nicht eingebettet in eine andere Website."),
    "reload-button": "Neu laden",
    "open-in-tab": "In neuem Tab öffnen",
    "setup-title": "Anmeldung nicht verfügbar",
    "setup-detail": ("Die Speckle-Anmeldung dieser Website ist nicht richtig eingerichtet; "
                     "der Betreiber findet Details in der Browserkonsole."),
    "declined-title": "Sie haben den Zugriff abgelehnt",
    "declined-detail": ("Sie sind nicht angemeldet, und nichts aus Ihrem Speckle-Konto wurde "
                        "geteilt. Sie können sich jederzeit wieder anmelden."),
    "cancelled-title": "Anmeldung abgebrochen",
    "cancelled-detail": ("Die Anmeldung endete, bevor Speckle geantwortet hat (das Fenster "
                         "wurde geschlossen oder die Anmeldung abgebrochen), daher sind Sie "
                         "nicht angemeldet. Sie können sich jederzeit wieder anmelden."),
    "blocked-title": "Das Anmeldefenster wurde blockiert",
    "blocked-detail": ("Ihr Browser hat das Fenster blockiert, in dem sich die Speckle-"
                       "Anmeldung öffnet. Erlauben Sie Pop-ups für diese Website und melden "
                       "Sie sich erneut an."),
    "no-code-title": "Nichts zum Anmelden",
    "no-code-detail": ("Auf diese Seite leitet Speckle Sie nach der Anmeldung, aber sie wurde "
                       "ohne Zugangscode geöffnet. Beginnen Sie mit der Schaltfläche zum "
                       "Anmelden."),
    "no-record-title": "Diese Anmeldung kann hier nicht abgeschlossen werden",
    "no-record-detail": ("Die Anmeldung wurde in einem anderen Tab oder Fenster oder vor zu "
                         "langer Zeit begonnen, daher kennt dieser Tab sie nicht. Bitte melden "
                         "Sie sich erneut an."),
    "rejected-title": "Speckle hat die Anmeldung nicht angenommen",
    "rejected-detail": "Bitte melden Sie sich erneut an.",
    "rejected-said": "Speckle meldet: „{said}“ Bitte melden Sie sich erneut an.",
    "unusable-title": "Speckle hat eine unbrauchbare Antwort geschickt",
    "unusable-detail": ("Nichts davon wurde übernommen. Versuchen Sie es erneut; passiert es "
                        "wieder, findet der Betreiber der Website Details in der "
                        "Browserkonsole."),
    "server-failed-title": "Speckle hat ein Problem",
    "server-failed-detail": ("Speckle hat geantwortet, konnte das aber gerade nicht "
                             "erledigen. Versuchen Sie es gleich noch einmal."),
    "unreachable-title": "Speckle ist nicht erreichbar",
    "unreachable-detail": ("Speckle hat nicht geantwortet. Prüfen Sie Ihre Internetverbindung "
                           "und versuchen Sie es erneut."),
    "expired-title": "Ihre Sitzung ist beendet",
    "expired-detail": ("Ihre Speckle-Sitzung ist abgelaufen oder der Zugriff wurde widerrufen. "
                       "Bitte melden Sie sich erneut an."),
    "dropped-title": "Sie wurden abgemeldet",
    "dropped-detail": ("Ihre gespeicherte Anmeldung ist nicht mehr verwendbar und wurde "
                       "entfernt. Bitte melden Sie sich erneut an."),
    "scope-title": "Einige Angaben können nicht angezeigt werden",
    "scope-detail": ("Diese Website durfte {what} nicht sehen. Melden Sie sich erneut an, um "
                     "sie zu berechtigen, oder bitten Sie den Betreiber, diese Berechtigung "
                     "anzufordern."),
    "scope-profile:read": "Ihren Namen und Ihr Bild",
    "scope-profile:email": "Ihre E-Mail-Adresse",
    "scope-streams:read": "Ihre Projekte",
    "scope-streams:write": "Änderungen an Ihren Projekten",
    "scope-other": "einige Angaben Ihres Kontos",
    "storage-full-title": "Der Speicher des Browsers ist voll",
    "storage-full-detail": ("Der Speicher des Browsers für diese Website ist voll, und die "
                            "Anmeldung braucht ein wenig davon. Nichts wurde gespeichert. "
                            "Geben Sie Platz frei (löschen Sie die Daten dieser Website) und "
                            "versuchen Sie es erneut."),
    "storage-blocked-title": "Der Website-Speicher ist blockiert",
    "storage-blocked-detail": ("Dieser Browser blockiert den Website-Speicher, den die "
                               "Anmeldung braucht. Erlauben Sie dieser Website, Daten zu "
                               "speichern (Cookies und Website-Daten in den Einstellungen des "
                               "Browsers), und versuchen Sie es erneut."),
    "insecure-title": "Diese Seite kann Sie nicht sicher anmelden",
    "insecure-detail": ("Diese Seite wird nicht über eine sichere (https-)Verbindung "
                        "ausgeliefert und kann Sie daher nicht sicher anmelden."),
    "insecure-owner": "Der Betreiber der Website findet Details in der Browserkonsole.",
    "signed-out-title": "Sie sind abgemeldet",
    "signed-out-detail": "Melden Sie sich an, um fortzufahren.",
    "not-found-title": "Nicht gefunden",
    "not-found-project": "Dieses Projekt gibt es nicht, oder es wurde gelöscht.",
    "not-found-model": "Dieses Modell ist nicht im Projekt, oder es wurde gelöscht.",
    "no-access-title": "Sie können dieses Projekt nicht öffnen",
    "no-access-detail": ("Ihr Speckle-Konto hat keinen Zugriff auf dieses Projekt. Bitten Sie "
                         "den Eigentümer, Sie einzuladen, oder melden Sie sich mit einem "
                         "anderen Konto an."),
    "not-found-object": ("Die Daten dieses Modells sind nicht im Projekt, oder sie wurden "
                         "gelöscht."),
    "objects-incomplete-title": "Das Modell wurde nicht vollständig geladen",
    "objects-incomplete-detail": ("Die Verbindung zu Speckle endete, bevor das ganze Modell "
                                  "angekommen war, daher wird nichts davon angezeigt. Versuchen "
                                  "Sie es erneut."),
    "objects-malformed-title": ("Speckle hat Modelldaten geschickt, die diese Seite nicht "
                                "lesen kann"),
    "objects-malformed-detail": ("Nichts davon wurde übernommen. Versuchen Sie es erneut; "
                                 "passiert es wieder, findet der Betreiber der Website Details "
                                 "in der Browserkonsole."),
    "objects-too-large-title": "Dieses Modell ist zu groß für diese Seite",
    "objects-too-large-detail": ("Das Modell enthält mehr Daten, als diese Seite laden kann, "
                                 "daher wurde es nicht geladen. Öffnen Sie es stattdessen in "
                                 "Speckle."),
    "graphql-title": "Speckle konnte nicht antworten",
    "graphql-detail": ("Beim Laden Ihrer Daten von Speckle ist etwas schiefgegangen. "
                       "Versuchen Sie es erneut."),
    "unexpected-title": "Etwas ist schiefgegangen",
    "unexpected-detail": "Bitte versuchen Sie es erneut.",
}
