### Accounts: sign-in, profile, two-factor, user administration, audit log.
### Keys are the message keys of the code with "." written "-".

login-title = Sign in
login-username = Username
login-password = Password
login-submit = Sign in

users-change_access = Change role and jurisdiction
users-save_access = Save role and jurisdiction
users-access_hint = This account's sessions end; the user signs in again with the new rights.
users-access_changed = Role and jurisdiction changed; the account's sessions have ended.

mfa-title = Two-factor authentication
mfa-prompt = Enter the 6-digit code from your authenticator app, or a recovery code.
mfa-code = Code
mfa-submit = Verify

profile-title = Profile
profile-mfa = Two-factor authentication
profile-mfa_required = Your role requires two-factor authentication. Please set it up now.
profile-mfa_on = Two-factor authentication is on
profile-mfa_off = Two-factor authentication is off.
profile-mfa_begin = Set up two-factor authentication
profile-mfa_enter_secret = Enter this secret (or the otpauth address) in your authenticator app, then the code it shows.
profile-mfa_confirm = Confirm and turn on
profile-mfa_disable = Turn off two-factor authentication
profile-mfa_enabled = Two-factor authentication is now on.
profile-mfa_disabled = Two-factor authentication is now off.
profile-recovery_codes_once = Recovery codes (each works once). Save them now: they are shown only once.
profile-recovery_left = recovery codes left
profile-password = Change password
profile-current_password = Current password
profile-new_password = New password
profile-change_password = Change password
profile-password_changed = Password changed; other sessions have ended.
profile-tokens = API tokens
profile-token_once = New token (shown only once):
profile-token_name = Name
profile-token_scope = Scope
profile-token_expires = Expires
profile-token_days = Valid for (days)
profile-token_create = Create token
profile-token_revoke = Revoke
profile-token_revoked = Token revoked.
profile-token_revoked_label = revoked
profile-token_expired_label = expired
profile-sessions = Sessions
profile-sign_out_everywhere = Sign out everywhere

users-title = User administration
users-display_name = Display name
users-role = Role
users-scopes = Jurisdiction
users-state = State
users-active_label = active
users-disabled_label = disabled
users-locked_label = locked
users-enable = Enable
users-disable = Disable
users-reset_password = Reset password
users-create = Create account
users-jurisdiction = Jurisdiction
users-new_communes = New commune codes
users-legacy_communes = Legacy commune codes (before 01/07/2025)
users-legacy_districts = Legacy district codes
users-countries = Countries (ISO, e.g. KR)
users-agency = Agency
users-associations = Association ids
users-created = Account created.
users-disabled = Account disabled; its sessions have ended.
users-enabled = Account enabled.
users-mfa_reset = Reset two-factor
users-mfa_reset_done = Two-factor reset; sessions have ended.
users-password_reset = Password reset; sessions have ended.

audit-title = Audit log
audit-actor = Actor
audit-action = Action
audit-entity = Entity
audit-entity_id = Entity id
audit-at = When
audit-details = Details
audit-filter = Filter
audit-export = Export to Excel
audit-older = Older →
profile-mfa_scan = Scan this code with an authenticator app (Google Authenticator, Microsoft Authenticator...), or enter the key above.
