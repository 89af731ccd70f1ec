# Der Erfassungsablauf für Antragsteller (/c/<token>), auf Deutsch: dieselben Kennungen
# wie in ../en/capture.ftl.

app-title = Identität bestätigen
skip = Zum Inhalt springen
language = Sprache
progress = Schritt { $n } von { $total }
step-consent = Willkommen
step-data = Ihre Angaben
step-document = Ihr Dokument
step-photos = Fotos
step-address = Adressnachweis
step-review = Prüfen und senden
back = Zurück
continue = Weiter
required = Pflichtfeld
optional = freiwillig
errors-heading = Bitte korrigieren Sie die markierten Felder.

consent-title = Bestätigen wir Ihre Identität
consent-intro = Das dauert etwa fünf Minuten. Sie brauchen Ihren Reisepass, Personalausweis, Führerschein oder Aufenthaltstitel und ein Handy oder einen Computer mit Kamera.
consent-privacy = Wie wir Ihre Daten verwenden
consent-agree = Ich habe gelesen, wie meine Daten verwendet werden, und bin einverstanden.
consent-agree-missing = Bitte setzen Sie das Häkchen, um fortzufahren.
consent-start = Los geht's

data-title = Ihre Angaben
data-intro = Geben Sie Ihren Namen und Ihr Geburtsdatum genau so ein, wie sie in Ihrem Dokument stehen.
data-address = Ihre Adresse
field-first_name = Vorname
field-middle_name = Zweiter Vorname
field-last_name = Nachname
field-birth_date = Geburtsdatum
field-birth_date-hint = Zum Beispiel 1990-04-25.
field-address_line1 = Straße und Hausnummer
field-address_line2 = Adresszusatz
field-address_postal_code = Postleitzahl
field-address_locality = Ort
field-address_country_code = Land
field-address_country_code-hint = Zwei Buchstaben, zum Beispiel DE oder AT.
error-required = Bitte ausfüllen.
error-first_name = Geben Sie Ihren Vornamen wie im Dokument ein (Buchstaben, höchstens 100).
error-middle_name = Geben Sie Ihren zweiten Vornamen wie im Dokument ein (Buchstaben, höchstens 100).
error-last_name = Geben Sie Ihren Nachnamen wie im Dokument ein (Buchstaben, höchstens 100).
error-birth_date = Geben Sie ein echtes Datum in der Vergangenheit ein, etwa 1990-04-25.
error-address_line1 = Geben Sie Straße und Hausnummer ein (höchstens 200 Zeichen).
error-address_line2 = Höchstens 200 Zeichen.
error-address_postal_code = Geben Sie Ihre Postleitzahl ein (höchstens 20 Zeichen).
error-address_locality = Geben Sie Ihren Ort ein (höchstens 100 Zeichen).
error-address_country_code = Geben Sie den Ländercode aus zwei Buchstaben ein, etwa DE oder AT.

document-title = Welches Dokument haben Sie?
document-intro = Wählen Sie ein gültiges Dokument, das Sie jetzt bei sich haben.
doctype-passport = Reisepass
doctype-national_id = Personalausweis
doctype-drivers_license = Führerschein
doctype-residence_permit = Aufenthaltstitel
docname-passport = Reisepass
docname-national_id = Personalausweis
docname-drivers_license = Führerschein
docname-residence_permit = Aufenthaltstitel
error-document_type = Bitte wählen Sie ein Dokument.

photos-title = Fotografieren Sie Ihren { $document }
photos-intro = Legen Sie das Dokument auf eine dunkle, ebene Fläche in gutem Licht. Alle vier Ecken müssen im Bild sein, die Schrift scharf und ohne Spiegelung.
side-page = Die Seite mit Ihrem Foto
side-front = Die Vorderseite
side-back = Die Rückseite
photo-choose = Foto aufnehmen oder auswählen
photo-upload = Dieses Foto verwenden
photo-accepted = Foto angenommen
photo-retake = Noch einmal aufnehmen
photo-checking = Das Foto wird geprüft…
quality-blurry = Das Foto ist unscharf: Halten Sie still, lassen Sie die Kamera scharf stellen und versuchen Sie es bei besserem Licht noch einmal.
quality-glare = Eine Spiegelung verdeckt die Schrift: Kippen Sie das Dokument vom Licht weg und versuchen Sie es noch einmal.
quality-too_small = Das Dokument ist im Bild zu klein: Halten Sie die Kamera näher heran.
quality-cut_off = Das Dokument ist abgeschnitten: Alle vier Ecken müssen im Bild sein.
photo-unreadable = Diese Datei können wir nicht öffnen. Bitte senden Sie ein Foto (JPEG, PNG oder WebP).
photo-too-large = Die Datei ist zu groß: höchstens 10 MB.
photo-missing = Bitte wählen Sie zuerst ein Foto.

address-title = Adressnachweis
address-intro = Eine aktuelle Rechnung, ein Kontoauszug, ein Steuerbescheid oder ein Behördenschreiben mit Ihrem Namen und Ihrer Adresse. Als Foto oder PDF.
addresstype-utility_bill = Strom-, Gas- oder Wasserrechnung
addresstype-bank_statement = Kontoauszug
addresstype-tax_document = Steuerdokument
addresstype-government_letter = Behördenschreiben
address-type = Art des Dokuments
address-file = Das Dokument
address-upload = Hochladen
address-accepted = Dokument erhalten
address-replace = Ein anderes senden

review-title = Prüfen und senden
review-intro = Bitte prüfen Sie Ihre Angaben. Vor dem Senden können Sie sie noch ändern.
review-data = Ihre Angaben
review-document = Ihr Dokument
review-address = Adressnachweis
review-photos = { $count ->
    [one] 1 Foto
   *[other] { $count } Fotos
}
change = Ändern
submit = Senden
review-missing = Einige Schritte sind noch nicht erledigt.

done-title = Vielen Dank
done-body = Wir haben alles erhalten. Wir prüfen es und geben dem Dienst, der Sie hierher geschickt hat, Bescheid. Sie können diese Seite schließen.

dead-title = Dieser Link funktioniert nicht
dead-body = Er ist vielleicht abgelaufen, wurde durch einen neueren ersetzt oder schon verwendet. Bitte fragen Sie den Dienst, der ihn geschickt hat, nach einem neuen Link.

resubmit-title = Bitte senden Sie ein neues Foto
resubmit-intro = Das Foto Ihres Dokuments ({ $document }) konnten wir nicht verwenden.
resubmit-reason = Grund: { $reason }
resubmit-message = Eine Nachricht für Sie:
reason-blurry = das Foto ist unscharf
reason-glare = eine Spiegelung verdeckt das Dokument
reason-cut_off = das Dokument ist abgeschnitten
reason-wrong_document = es ist nicht das angeforderte Dokument
reason-expired_document = das Dokument ist abgelaufen
reason-other = siehe Nachricht

too-many-title = Bitte einen Moment warten
too-many-body = Es gab zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es dann noch einmal.
