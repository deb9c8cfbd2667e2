### Thống kê: bảng tổng hợp, báo cáo, xuất file, thống kê công khai.
### Keys are the message keys of the code with "." written "-".

nav-dashboard = Thống kê
nav-reports = Báo cáo

stats-dashboard = Bảng điều khiển thống kê
stats-people = Số người ở nước ngoài
stats-households = Hộ thân nhân
stats-relatives = Thân nhân
stats-as_of = Số liệu tính đến
stats-as_of_day = Số liệu tại ngày (để trống: hiện tại)
stats-as_of_note = Số liệu dựng lại từ lịch sử thay đổi, tính đến hết ngày
stats-filters = Điều kiện lọc
stats-trend = Theo đợt điều tra và diện
stats-open_list = Xem danh sách
stats-reports = Báo cáo thống kê
stats-rows = Hàng
stats-cols = Cột
stats-none = (không)
stats-measure = Chỉ tiêu
stats-show = Lập bảng
stats-filter_hint = Ghi như thường viết (ví dụ: Nhật Bản, Lao động ở nước ngoài); nhiều giá trị cách nhau bởi dấu phẩy
stats-total = Tổng cộng
stats-presets = Báo cáo mẫu
stats-saved = Báo cáo đã lưu
stats-save = Lưu báo cáo
stats-name = Tên báo cáo
stats-delete = Xóa
stats-export_xlsx = Tải Excel (.xlsx)
stats-export_docx = Tải Word (.docx)
stats-export_pdf = Tải PDF
stats-map = Bản đồ số người theo xã/phường quê quán
stats-world_map = Bản đồ số người theo quốc gia cư trú
stats-legend = Chú giải
stats-no_people = không có
stats-unmapped = người ở các quốc gia, vùng lãnh thổ nhỏ không có trên bản đồ (xem bảng bên dưới)
stats-print = In
stats-no_saved = Chưa có báo cáo nào được lưu.

public-title = Thống kê công khai về kiều bào của tỉnh
public-total = Tổng số người
public-about = khoảng
public-suppression = Để không ai bị nhận diện, ô có ít người hơn ngưỡng được ẩn; ngưỡng
public-by_country = Theo quốc gia cư trú
public-by_category = Theo diện
public-people = Số người
public-json = Dữ liệu dạng JSON
stats-households_counts = Hộ ở quê có thân nhân là kiều bào trong phạm vi; mỗi hộ đếm một lần dù có nhiều người ở nước ngoài.
stats-official_doc = Văn bản báo cáo: số, nơi gửi, lời mở đầu
stats-doc_number = Số văn bản
stats-doc_number_hint = Để trống thì văn bản in "Số: …/BC-SNV" để văn thư điền.
stats-recipient = Kính gửi
stats-recipient_example = Ủy ban nhân dân tỉnh
stats-narrative = Lời mở đầu (đặt trước bảng số liệu)
