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
