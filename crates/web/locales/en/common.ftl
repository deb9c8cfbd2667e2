### Common: the application name, navigation, home page, errors, codes and field labels every area uses.
### Keys are the message keys of the code with "." written "-".

app-name = Kiều Bào
app-tagline = The province's database of overseas Vietnamese

nav-home = Home
nav-people = People abroad
nav-search = Search
nav-users = Accounts
nav-audit = Audit log
nav-sign_out = Sign out
nav-switch_lang = Tiếng Việt

home-title = Overview
home-welcome = Welcome
home-people_in_scope = People abroad in your jurisdiction
home-by_category = By category
home-role = Role
home-countries = Countries and territories
home-households = Households with relatives abroad
home-statistics_only = Your account sees statistics only.

common-total = Total

error-title = Something went wrong
error-bad_credentials = Wrong username or password.
error-rate_limited = Too many attempts. Please try again later.
error-not_found = The page or record was not found.
error-forbidden = You are not allowed to do this.
error-unauthenticated = Please sign in.
error-csrf = Your session expired or the request was not valid. Please reload the page.
error-conflict = The data was changed by someone else.
error-invalid = Some data is not valid.
error-internal = Internal error. The incident was logged.
error-payload_too_large = The request is too large.

field-username = Username
field-password = Password

code-password_too_short = The password must have at least 10 characters.
code-password_too_common = The password is too common or easy to guess.
code-invalid_username = Usernames use lowercase letters, digits, dots and dashes (3–64 characters).
code-taken = This value is already taken.
code-required = Required.
code-too_long = Too long.
code-invalid_code = Invalid code.
code-required_for_role = Required for this role.
code-last_admin = The last administrator cannot be given another role.

error-mfa_enrolment_required = Your role requires two-factor sign-in: set it up before going on.

code-out_of_range = Value out of range.
code-unknown_scope = Unknown scope.
code-scope_beyond_role = The account's role does not allow this scope.

nav-profile = Profile

code-mfa_bad_code = Wrong or already used code.
code-wrong_password = The current password is wrong.

field-code = Code
field-current_password = Current password
field-role = Role
field-commune = Commune
field-country = Country
field-agency = Agency
field-association = Association
field-name = Name
field-full_name = Full name
field-other_names = Other names (one per line)
field-gender = Gender
field-birth_date = Birth date
field-category = Category
field-generation = Generation
field-region_abroad = Region abroad
field-city_abroad = City abroad
field-address_abroad = Address abroad
field-hometown_text = Hometown
field-hometown_code = Commune code (new)
field-hometown_legacy_code = Commune code (legacy)
field-departure_year = Year of departure
field-passport_no = Passport number
field-id_no = ID number
field-phone = Phone
field-email = Email
field-occupation = Occupation
field-education = Education
field-expertise = Field of expertise
field-tags = Notable tags (codes, comma separated)
field-enterprise = Enterprise or organisation
field-status = Status
field-consent = Consent
field-verification = Verification
field-notes = Notes
field-reason = Reason
field-version = Version

code-control_chars = Contains control characters.
code-unknown_country = Unknown country.
code-unknown_commune = Unknown commune code.
code-in_future = The date is in the future.
code-invalid_date = Invalid date (year, month/year or day/month/year).
code-invalid_year = Invalid year.
code-before_birth = Departure before birth.
code-invalid_phone = Invalid phone number.
code-invalid_email = Invalid email address.
code-out_of_jurisdiction = Outside your jurisdiction.
code-unknown_field = Unknown field.
code-invalid_json = Invalid JSON.

field-head_name = Head of household
field-address = Address
field-commune_code = Commune code
field-relationship = Relationship
field-birth_year = Birth year
field-household_id = Household
field-legacy_commune_code = Legacy commune code (before 2025)
field-nationalities = Nationalities (two-letter codes, comma separated)
field-social = Social accounts (one a line)
field-income_bracket = Income bracket
field-remittance = Remittances
field-associations = Associations (one name a line)

code-too_many = Too many entries.
code-unknown_association = No association has this name.
code-invalid_number = Must be a number.

# Values of the wrong type in an API body or parameter.
code-expected_text = Text expected.
code-expected_number = A number expected.
code-expected_list = A list expected.
code-expected_true_false = True or false expected.
code-invalid_value = The value cannot be read.

## Each department's own fields (issue 19)
field-marriage_date = Date of marriage registration
field-spouse_name = Spouse's full name
field-spouse_nationality = Spouse's nationality
field-employer_abroad = Employer abroad
field-contract_term_months = Contract term (months)
field-sending_company = Sending company
field-school = School or university
field-field_of_study = Field of study
field-funding = Funding
field-study_from_year = Year studies began
field-study_to_year = Year studies end (expected)
field-sending_agency = Sending agency
field-programme = Training programme
field-enterprise_name = Enterprise name
field-project = Investment project
field-capital = Invested capital (million VND)
field-sector = Sector
field-citizen_protection_case = Citizen protection case
field-field = Department's own field
field-field_op = Comparison
field-field_value = Value

code-not_with_source_fields = Figures by a department's own field are available for today only; clear the date.

## Words, not codes (issue 21): history, scopes, audit sentences.
common-yes = Yes
common-no = No

history-created = Record created
history-deleted = Record deleted
history-undeleted = Deleted record restored
history-restored_version = Restored version
history-merged = Merged into this one: record
history-merged_into = Merged into record
history-unmerged = Split off again: record
history-unmerged_from = Split off from record
history-imported = Imported from a list, import
history-import_undone = Undone import
history-visit = Home verification visit on
history-changed = Changed

scope-new_commune = Commune
scope-legacy_commune = Former commune
scope-legacy_district = Former district
scope-country = Country
scope-agency = Agency
scope-association = Hometown association

audit-someone = Someone
audit-ip = IP address
audit-did-audit-export = exported the audit log to Excel
audit-did-audit-key_rotated = rotated the audit signing key
audit-did-backup-create = backed up the whole database
audit-did-backup-restore = restored the database from a backup
audit-did-auth-mfa_failed = entered a wrong two-factor code
audit-did-auth-mfa_verified = passed two-factor verification
audit-did-auth-sign_in = signed in
audit-did-auth-sign_in_failed = failed to sign in
audit-did-auth-sign_out_everywhere = signed out on every device
audit-did-custom_field-define = defined custom fields
audit-did-demo-load = loaded the demo data
audit-did-household-create = created household
audit-did-household-update = edited household
audit-did-household-view = viewed household
audit-did-import-commit = wrote to the registry import
audit-did-import-remap = changed the column mapping of import
audit-did-import-reshape = chose another sheet or header row for import
audit-did-import-undo = undid import
audit-did-import-upload = uploaded a list, import
audit-did-import-view_rows = viewed the rows of import
audit-did-linkage-scan = scanned for duplicate records
audit-did-match_pair-decide = decided on the pair
audit-did-merge-create = merged records, merge
audit-did-merge-undo = undid merge
audit-did-mfa-disable = turned off two-factor sign-in
audit-did-mfa-enable = turned on two-factor sign-in
audit-did-mfa-reset = reset the two-factor sign-in of account
audit-did-person-create = created record
audit-did-person-delete = deleted record
audit-did-person-merge = merged into record
audit-did-person-restore = restored an earlier version of record
audit-did-person-reveal = revealed the masked data of record
audit-did-person-search = searched
audit-did-person-search_export_csv = exported search results (CSV)
audit-did-person-search_export_xlsx = exported search results (Excel)
audit-did-person-undelete = restored the deleted record
audit-did-person-unmerge = split record
audit-did-person-update = edited record
audit-did-person-verify = updated the verification of record
audit-did-person-view = viewed record
audit-did-reconcile-export = exported the reconciliation list
audit-did-relative-create = added a relative to record
audit-did-relative-delete = removed a relative from record
audit-did-relative-update = edited a relative of record
audit-did-token-create = created an API token
audit-did-token-revoke = revoked an API token
audit-did-user-create = created account
audit-did-user-disable = disabled account
audit-did-user-enable = enabled account
audit-did-user-password_change = changed their password
audit-did-user-password_reset = reset the password of account
audit-did-user-permission_change = changed the access of account
audit-did-verification-visit = recorded a home verification visit for record

audit-detail-household_id = Household
audit-detail-version = Version
audit-detail-relative_id = Relative
audit-detail-reason = Reason
audit-detail-changed = Changed
audit-detail-visit = Visit
audit-detail-username_sha256 = User name typed (hashed; the name is not kept)
audit-detail-sheet = Sheet
audit-detail-seed = Demo data seed
audit-detail-round = Survey round
audit-detail-result = Result
audit-detail-people = People
audit-detail-mfa_pending = Two-factor still pending
audit-detail-method = Method
audit-detail-merged = Merged record
audit-detail-mapping = Column mapping
audit-detail-key_id = Signing key
audit-detail-kept = Record kept
audit-detail-header_row = Header row
audit-detail-created_persons = Records created
common-date_hint = Day/month/year, e.g. 30/04/1975
common-partial_date_hint = Day/month/year (30/04/1975), month/year (04/1975) or year (1975)
field-id = Record no.
field-match = How it was found
field-score = Match score

## Field names where a record is read, not typed (the form's labels carry hints).
label-hometown_code = Commune (new)
label-hometown_legacy_code = Commune (former)
label-commune_code = Commune
label-legacy_commune_code = Former commune (before 2025)
label-nationalities = Nationalities
label-other_names = Other names
label-social = Social media
label-associations = Associations
label-tags = Notable
audit-detail-username = User name
audit-detail-role = Role
audit-detail-scopes = Scope
audit-detail-before = Before
audit-detail-after = After
audit-detail-expires_days = Expires after (days)
audit-detail-user_id = Account
audit-detail-rows = Rows
audit-detail-directory = Directory
audit-detail-tables = Tables
audit-detail-actor = By
audit-detail-action = Action
audit-detail-entity = Object
audit-detail-entity_id = Object number
