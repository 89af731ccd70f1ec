# The applicant's capture flow (/c/<token>). Every text an applicant reads is here; German
# is in ../de/capture.ftl with the same ids (a unit test checks that they match).

app-title = Verify your identity
skip = Skip to content
language = Language
progress = Step { $n } of { $total }
step-consent = Welcome
step-data = Your details
step-document = Your document
step-photos = Photos
step-address = Proof of address
step-review = Check and send
back = Back
continue = Continue
required = required
optional = optional
errors-heading = Please correct the marked fields.

consent-title = Let's verify your identity
consent-intro = It takes about five minutes. You will need your passport, ID card, driving licence or residence permit, and a phone or computer with a camera.
consent-privacy = How we use your data
consent-agree = I have read how my data is used, and I agree.
consent-agree-missing = Please tick the box to agree before you continue.
consent-start = Start

data-title = Your details
data-intro = Enter your name and birth date exactly as they appear on your document.
data-address = Your address
field-first_name = First name
field-middle_name = Middle name
field-last_name = Last name
field-birth_date = Birth date
field-birth_date-hint = For example 1990-04-25.
field-address_line1 = Street and number
field-address_line2 = Address line 2
field-address_postal_code = Postal code
field-address_locality = City
field-address_country_code = Country
field-address_country_code-hint = Two letters, for example DE or GB.
error-required = Please fill this in.
error-first_name = Enter your first name as on your document (letters, at most 100).
error-middle_name = Enter your middle name as on your document (letters, at most 100).
error-last_name = Enter your last name as on your document (letters, at most 100).
error-birth_date = Enter a real date in the past, like 1990-04-25.
error-address_line1 = Enter your street and number (at most 200 characters).
error-address_line2 = At most 200 characters.
error-address_postal_code = Enter your postal code (at most 20 characters).
error-address_locality = Enter your city (at most 100 characters).
error-address_country_code = Enter the two-letter country code, like DE or GB.

document-title = Which document do you have?
document-intro = Choose one that is valid and that you have with you now.
doctype-passport = Passport
doctype-national_id = National ID card
doctype-drivers_license = Driving licence
doctype-residence_permit = Residence permit
docname-passport = passport
docname-national_id = national ID card
docname-drivers_license = driving licence
docname-residence_permit = residence permit
error-document_type = Please choose a document.

photos-title = Photograph your { $document }
photos-intro = Put the document on a dark, flat surface in good light. All four corners must be in the photo, and the text sharp, with no glare.
side-page = The page with your photo
side-front = The front
side-back = The back
photo-choose = Take or choose a photo
photo-upload = Use this photo
photo-accepted = Photo accepted
photo-retake = Take it again
photo-checking = Checking the photo…
quality-blurry = The photo is blurry: hold still, let the camera focus, and try again in better light.
quality-glare = Glare covers the text: tilt the document away from the light and try again.
quality-too_small = The document is too small in the photo: hold the camera closer.
quality-cut_off = The document is cut off: make sure all four corners are in the photo.
photo-unreadable = We could not open this file. Please send a photo (JPEG, PNG or WebP).
photo-too-large = The file is too large: at most 10 MB.
photo-missing = Please choose a photo first.

address-title = Proof of address
address-intro = A recent bill, bank statement, tax document or letter from an authority that shows your name and address. A photo or a PDF.
addresstype-utility_bill = Utility bill
addresstype-bank_statement = Bank statement
addresstype-tax_document = Tax document
addresstype-government_letter = Letter from an authority
address-type = Type of document
address-file = The document
address-upload = Upload
address-accepted = Document received
address-replace = Send another

review-title = Check and send
review-intro = Please check what you entered. You can change it before you send it.
review-data = Your details
review-document = Your document
review-address = Proof of address
review-photos = { $count ->
    [one] 1 photo
   *[other] { $count } photos
}
change = Change
submit = Send
review-missing = Some steps are not finished yet.

done-title = Thank you
done-body = We have received everything. We will check it and let the service that sent you here know. You can close this page.

dead-title = This link does not work
dead-body = It may have expired or been replaced by a newer one, or it has already been used. Please ask the service that sent it for a new link.

resubmit-title = Please send a new photo
resubmit-intro = We could not use the photo of your { $document } that you sent.
resubmit-reason = Reason: { $reason }
resubmit-message = A message for you:
reason-blurry = the photo is blurry
reason-glare = glare covers the document
reason-cut_off = the document is cut off
reason-wrong_document = it is not the document we asked for
reason-expired_document = the document has expired
reason-other = see the message

too-many-title = Please wait a moment
too-many-body = There were too many attempts. Please wait a minute and try again.
