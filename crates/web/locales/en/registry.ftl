### Registry: people abroad, households, relatives, search.
### Keys are the message keys of the code with "." written "-".

search-title = Find a person
search-box = Name, other name, passport, phone or e-mail
search-go = Search
search-hint = Type a name (with or without diacritics, in any order; add a birth year, a birth date or a country if needed: "Hiền 1979", "Hiền Japan"), a passport number, a phone number or an e-mail.
search-more_than = More than
search-narrowed = Narrowed to
search-narrowed-born = born
search-match = Match
search-other_name = other name
search-export_xlsx = Export to Excel (.xlsx)
search-export_csv = Export to CSV
search-kind-identifier = Identifier
search-kind-exact = Exact
search-kind-folded = Same without diacritics
search-kind-reordered = Same names, another order
search-kind-partial = Part of the name
search-kind-fuzzy = Close

people-title = People abroad
people-new = Add a person
people-edit = Edit
people-save = Save
people-search = Search by name
people-filter = Filter
people-any = (any)
people-none = (none)
people-prev = Previous
people-next = Next
people-legacy_district = District (legacy)
people-source = Source
people-survey_round = Survey round
people-show_deleted = Deleted records only
people-tab_profile = Profile
people-tab_relatives = Relatives and households
people-tab_sources = Sources
people-tab_history = History
people-tab_views = Access log
people-reveal = Show sensitive fields
people-reveal_purpose = Purpose
people-reveal_purpose_hint = For example: checking a passport at the police's request
people-delete = Delete
people-delete_reason = Reason for deleting
people-deleted_at = Deleted at
people-undelete = Restore the record
people-restore = Restore this version
people-household = Household
people-relative = Relative
people-relationship = Relationship
people-birth_year = Birth year
people-list_name = List
people-row = Row
people-version = Version
people-when = When
people-who = Who
people-changes = Changes
people-action = Action
people-conflict_help = Someone else changed this record. The stored values that differ from yours:
people-age_band = Age band
people-add_relative = Add a relative

household-relatives = Relatives in the household
household-person_abroad = Person abroad
household-edit = Edit the household
household-no_relatives = No relatives within your jurisdiction yet.

people-remove_relative = Remove
people-existing_household = Existing household no. (empty: a new one)

people-field_op_eq = equals
people-field_op_contains = contains
people-field_op_gte = at least (≥)
people-field_op_lte = at most (≤)
