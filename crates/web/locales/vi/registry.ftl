### Sổ đăng ký: kiều bào, hộ gia đình, thân nhân, tìm kiếm.
### Keys are the message keys of the code with "." written "-".

search-title = Tìm kiếm kiều bào
search-box = Họ tên, tên khác, số hộ chiếu, điện thoại hoặc email
search-go = Tìm
search-hint = Gõ họ tên (có dấu hay không dấu, theo thứ tự bất kỳ; thêm năm sinh, ngày sinh hoặc nước nếu cần: "Hiền 1979", "Hiền Nhật Bản"), số hộ chiếu, số điện thoại hoặc email.
search-more_than = Hơn
search-narrowed = Đã thu hẹp theo
search-narrowed-born = năm sinh
search-match = Mức khớp
search-other_name = tên khác
search-export_xlsx = Xuất Excel (.xlsx)
search-export_csv = Xuất CSV
search-kind-identifier = Giấy tờ / liên lạc
search-kind-exact = Đúng hoàn toàn
search-kind-folded = Đúng (không dấu)
search-kind-reordered = Đúng, khác thứ tự
search-kind-partial = Một phần tên
search-kind-fuzzy = Gần đúng

people-title = Kiều bào
people-new = Thêm kiều bào
people-edit = Sửa thông tin
people-save = Lưu
people-search = Tìm theo tên
people-filter = Lọc
people-any = (tất cả)
people-none = (chưa chọn)
people-prev = Trang trước
people-next = Trang sau
people-legacy_district = Huyện (cũ)
people-source = Nguồn
people-survey_round = Đợt điều tra
people-show_deleted = Chỉ bản ghi đã xoá
people-tab_profile = Thông tin
people-tab_relatives = Thân nhân và hộ gia đình
people-tab_sources = Nguồn dữ liệu
people-tab_history = Lịch sử
people-tab_views = Nhật ký truy cập
people-reveal = Hiện thông tin nhạy cảm
people-reveal_purpose = Mục đích xem
people-reveal_purpose_hint = Ví dụ: xác minh hộ chiếu theo đề nghị của Công an
people-delete = Xoá
people-delete_reason = Lý do xoá
people-deleted_at = Đã xoá lúc
people-undelete = Khôi phục bản ghi
people-restore = Khôi phục phiên bản này
people-household = Hộ gia đình
people-relative = Thân nhân
people-relationship = Quan hệ
people-birth_year = Năm sinh
people-list_name = Danh sách
people-row = Dòng
people-version = Phiên bản
people-when = Thời điểm
people-who = Người thực hiện
people-changes = Thay đổi
people-action = Thao tác
people-conflict_help = Bản ghi đã được người khác sửa. Giá trị hiện lưu khác với bạn nhập:
people-age_band = Nhóm tuổi
people-add_relative = Thêm thân nhân

household-relatives = Thân nhân trong hộ
household-person_abroad = Người ở nước ngoài
household-edit = Sửa thông tin hộ
household-no_relatives = Chưa có thân nhân nào trong phạm vi của bạn.

people-remove_relative = Xoá thân nhân
people-existing_household = Số hộ có sẵn (để trống: hộ mới)

people-field_op_eq = bằng
people-field_op_contains = có chứa
people-field_op_gte = từ (≥)
people-field_op_lte = đến (≤)
