### Statistics: pivots, reports, exports, public statistics.
### Keys are the message keys of the code with "." written "-".

nav-dashboard = Dashboard
nav-reports = Reports

stats-dashboard = Statistics dashboard
stats-people = People abroad
stats-households = Relatives' households
stats-relatives = Relatives
stats-as_of = Figures as of
stats-as_of_day = Figures as of the day (empty: now)
stats-as_of_note = Figures rebuilt from the history of changes, as of the end of
stats-filters = Filters
stats-trend = By survey round and category
stats-open_list = Open the list
stats-reports = Statistical reports
stats-rows = Rows
stats-cols = Columns
stats-none = (none)
stats-measure = Measure
stats-show = Show
stats-filter_hint = Write them as usual (for example: Japan, Contract labour abroad); several values separated by commas
stats-total = Total
stats-presets = Ready-made reports
stats-saved = Saved reports
stats-save = Save report
stats-name = Report name
stats-delete = Delete
stats-export_xlsx = Download Excel (.xlsx)
stats-export_docx = Download Word (.docx)
stats-export_pdf = Download PDF
stats-map = Map of people by home commune
stats-world_map = Map of people by country of residence
stats-legend = Legend
stats-no_people = none
stats-unmapped = people in small countries and territories not on the map (see the table below)
stats-print = Print
stats-no_saved = No report saved yet.

public-title = Public statistics on the province's people abroad
public-total = People in all
public-about = about
public-suppression = So that no one can be singled out, cells under the threshold are hidden; threshold
public-by_country = By country of residence
public-by_category = By category
public-people = People
public-json = The same as JSON
stats-households_counts = Households at home with a relative abroad in scope; each counted once, however many of its members live abroad.
stats-official_doc = Official document: number, addressee, opening paragraph
stats-doc_number = Document number
stats-doc_number_hint = Left empty, the document reads "Số: …/BC-SNV" for the clerk to fill in.
stats-recipient = Addressed to (Kính gửi)
stats-recipient_example = Provincial People's Committee
stats-narrative = Opening paragraph (before the tables)
