package main

import "golang.org/x/text/language"

// texts are the words of the example's pages in one language. The
// language is the middleware's choice for the request (Auth.Language), so
// the example's pages, the library's error pages and LINE's screens (sent
// ui_locales) agree.
type texts struct {
	Lang        string // <html lang>
	DemoNote    string
	Welcome     string
	LoginPrompt string
	LoginButton string // LINE's own wording for its button in each language
	Hello       string // printf format with the display name
	YourProfile string
	LogOut      string
	MeTitle     string
	UserID      string
	Email       string
	NotVerified string
	AccountHere string
	Friend      string
	Yes, No     string
	Unknown     string
	LoggedInVia string
	Home        string
	// The app's own accounts.
	YourAccount  string
	MemberPrompt string
	MemberSignIn string
	// The account pages and the list of sessions on /me.
	AccountSignInTitle string
	AccountIDLabel     string
	PasswordLabel      string
	SignIn             string
	WrongPassword      string
	DemoAccountsNote   string
	AccountTitle       string
	AccountLabel       string
	NotConnected       string
	Unlink             string
	ConnectLINE        string
	SessionsTitle      string
	Device             string
	LoggedIn           string
	LastSeen           string
	UnknownDevice      string
	ThisOne            string
	End                string
	EndOthers          string
	// LogOutHere is the "End" of the current session's row: it logs this
	// browser out and leads home.
	LogOutHere string
	// AMR names LINE's authentication methods (the ID token's amr) as a
	// person says them.
	AMR map[string]string
	// DeviceOn is a printf format of a device hint: %[1]s the browser,
	// %[2]s the system.
	DeviceOn string
	// ListSep separates the items of a list on one line.
	ListSep string
	// Pages of problems.
	BackToAccount  string
	NotFoundTitle  string
	NotFound       string
	OnlyWayInTitle string
	OnlyWayIn      string
	// The account page's LINE row and password.
	LINEConnected      string
	PasswordIsSet      string
	NoPassword         string
	OnlyWayInHint      string
	SetPasswordTitle   string
	NewPasswordLabel   string
	SavePassword       string
	PasswordSaved      string
	PasswordTooShort   string
	PasswordAlreadySet string
}

// pageTexts holds every text of the example's pages, English first (the
// fallback).
var pageTexts = map[language.Tag]*texts{
	language.English: {
		Lang:               "en",
		DemoNote:           "Demo mode: logging in with the embedded fake LINE Platform (linetest). No LINE account needed.",
		Welcome:            "Welcome",
		LoginPrompt:        "Log in with your LINE account to see your profile.",
		LoginButton:        "Log in with LINE",
		Hello:              "Hello, %s!",
		YourProfile:        "Your profile",
		LogOut:             "Log out",
		MeTitle:            "Your LINE profile",
		UserID:             "User ID",
		Email:              "Email",
		NotVerified:        "(not verified by LINE)",
		AccountHere:        "Your account here",
		Friend:             "Friend of our LINE account",
		Yes:                "yes",
		No:                 "no",
		Unknown:            "unknown",
		LoggedInVia:        "Logged in with",
		Home:               "Home",
		YourAccount:        "Your account",
		MemberPrompt:       "Already a member of this site? Connect LINE to your account:",
		MemberSignIn:       "Sign in with your account",
		AccountSignInTitle: "Sign in to your account",
		AccountIDLabel:     "Account ID",
		PasswordLabel:      "Password",
		SignIn:             "Sign in",
		WrongPassword:      "Wrong account ID or password.",
		DemoAccountsNote:   "The demo accounts are printed in the app's log at start (for example alice / alice-password).",
		AccountTitle:       "Your account",
		AccountLabel:       "Account",
		NotConnected:       "not connected",
		Unlink:             "Unlink",
		ConnectLINE:        "Connect LINE",
		SessionsTitle:      "Where you're logged in",
		Device:             "Device",
		LoggedIn:           "Logged in",
		LastSeen:           "Last seen",
		UnknownDevice:      "Unknown device",
		ThisOne:            "(this one)",
		End:                "End",
		EndOthers:          "Log out everywhere else",
		LogOutHere:         "Log out here",
		AMR: map[string]string{"pwd": "email and password", "lineqr": "QR code", "lineautologin": "automatic login",
			"linesso": "single sign-on", "mfa": "two-factor authentication"},
		DeviceOn:           "%[1]s on %[2]s",
		ListSep:            ", ",
		BackToAccount:      "Back to your account",
		NotFoundTitle:      "Page not found",
		NotFound:           "There is no page at this address. Check the link, or start again from the home page.",
		OnlyWayInTitle:     "LINE stays connected",
		OnlyWayIn:          "LINE is the only way to sign in to this account: after unlinking it, nobody could sign in to it again. Set a password on your account page first, then unlink LINE.",
		LINEConnected:      "connected",
		PasswordIsSet:      "set",
		NoPassword:         "none: you sign in with LINE only",
		OnlyWayInHint:      "LINE is your only way to sign in. Set a password below before you unlink it.",
		SetPasswordTitle:   "Set a password",
		NewPasswordLabel:   "New password (at least 8 characters)",
		SavePassword:       "Save password",
		PasswordSaved:      "Password saved. You can now sign in with your account ID and this password.",
		PasswordTooShort:   "The password must have at least 8 characters.",
		PasswordAlreadySet: "This account already has a password.",
	},
	language.Japanese: {
		Lang:               "ja",
		DemoNote:           "デモモード：組み込みの疑似LINEプラットフォーム（linetest）でログインします。LINEアカウントは不要です。",
		Welcome:            "ようこそ",
		LoginPrompt:        "LINEアカウントでログインすると、プロフィールを表示できます。",
		LoginButton:        "LINEでログイン",
		Hello:              "こんにちは、%sさん",
		YourProfile:        "プロフィール",
		LogOut:             "ログアウト",
		MeTitle:            "LINEのプロフィール",
		UserID:             "ユーザーID",
		Email:              "メールアドレス",
		NotVerified:        "（LINEでは確認されていません）",
		AccountHere:        "このサイトのアカウント",
		Friend:             "LINE公式アカウントの友だち",
		Yes:                "はい",
		No:                 "いいえ",
		Unknown:            "不明",
		LoggedInVia:        "ログイン方法",
		Home:               "ホーム",
		YourAccount:        "アカウント",
		MemberPrompt:       "このサイトの会員の方は、お持ちのアカウントにLINEを連携できます：",
		MemberSignIn:       "アカウントでログイン",
		AccountSignInTitle: "アカウントにログイン",
		AccountIDLabel:     "アカウントID",
		PasswordLabel:      "パスワード",
		SignIn:             "ログイン",
		WrongPassword:      "アカウントIDまたはパスワードが正しくありません。",
		DemoAccountsNote:   "デモ用のアカウントは、起動時にアプリのログに表示されます（例：alice / alice-password）。",
		AccountTitle:       "アカウント",
		AccountLabel:       "アカウント",
		NotConnected:       "未連携",
		Unlink:             "連携を解除",
		ConnectLINE:        "LINEと連携する",
		SessionsTitle:      "ログイン中の端末",
		Device:             "端末",
		LoggedIn:           "ログイン日時",
		LastSeen:           "最終利用",
		UnknownDevice:      "不明な端末",
		ThisOne:            "（この端末）",
		End:                "ログアウト",
		EndOthers:          "他のすべての端末からログアウト",
		LogOutHere:         "この端末からログアウト",
		AMR: map[string]string{"pwd": "メールアドレスとパスワード", "lineqr": "QRコード", "lineautologin": "自動ログイン",
			"linesso": "シングルサインオン", "mfa": "2要素認証"},
		DeviceOn:           "%[2]s の %[1]s",
		ListSep:            "、",
		BackToAccount:      "アカウントに戻る",
		NotFoundTitle:      "ページが見つかりません",
		NotFound:           "このアドレスにはページがありません。リンクを確認するか、ホームからやり直してください。",
		OnlyWayInTitle:     "LINE連携は解除されていません",
		OnlyWayIn:          "このアカウントにはLINEでしかログインできません。連携を解除すると、誰もログインできなくなります。先にアカウントページでパスワードを設定してから、LINE連携を解除してください。",
		LINEConnected:      "連携済み",
		PasswordIsSet:      "設定済み",
		NoPassword:         "未設定（LINEでのみログインできます）",
		OnlyWayInHint:      "ログイン方法はLINEだけです。連携を解除する前に、下でパスワードを設定してください。",
		SetPasswordTitle:   "パスワードを設定",
		NewPasswordLabel:   "新しいパスワード（8文字以上）",
		SavePassword:       "パスワードを保存",
		PasswordSaved:      "パスワードを保存しました。アカウントIDとこのパスワードでログインできます。",
		PasswordTooShort:   "パスワードは8文字以上にしてください。",
		PasswordAlreadySet: "このアカウントにはすでにパスワードがあります。",
	},
	language.MustParse("zh-TW"): {
		Lang:               "zh-TW",
		DemoNote:           "示範模式：使用內建的模擬 LINE 平台（linetest）登入，不需要 LINE 帳號。",
		Welcome:            "歡迎",
		LoginPrompt:        "使用 LINE 帳號登入，即可查看您的個人檔案。",
		LoginButton:        "使用 LINE 登入",
		Hello:              "%s，您好！",
		YourProfile:        "個人檔案",
		LogOut:             "登出",
		MeTitle:            "您的 LINE 個人檔案",
		UserID:             "使用者 ID",
		Email:              "電子郵件",
		NotVerified:        "（未經 LINE 驗證）",
		AccountHere:        "您在本站的帳號",
		Friend:             "是否為 LINE 官方帳號的好友",
		Yes:                "是",
		No:                 "否",
		Unknown:            "未知",
		LoggedInVia:        "登入方式",
		Home:               "首頁",
		YourAccount:        "您的帳號",
		MemberPrompt:       "已經是本網站的會員嗎？可以將 LINE 連結至您的帳號：",
		MemberSignIn:       "使用您的帳號登入",
		AccountSignInTitle: "登入您的帳號",
		AccountIDLabel:     "帳號 ID",
		PasswordLabel:      "密碼",
		SignIn:             "登入",
		WrongPassword:      "帳號 ID 或密碼錯誤。",
		DemoAccountsNote:   "示範帳號會在應用程式啟動時顯示於記錄中（例如 alice / alice-password）。",
		AccountTitle:       "您的帳號",
		AccountLabel:       "帳號",
		NotConnected:       "尚未連結",
		Unlink:             "解除連結",
		ConnectLINE:        "連結 LINE",
		SessionsTitle:      "已登入的裝置",
		Device:             "裝置",
		LoggedIn:           "登入時間",
		LastSeen:           "最後使用",
		UnknownDevice:      "不明的裝置",
		ThisOne:            "（目前的裝置）",
		End:                "登出",
		EndOthers:          "登出其他所有裝置",
		LogOutHere:         "登出此裝置",
		AMR: map[string]string{"pwd": "電子郵件與密碼", "lineqr": "QR 碼", "lineautologin": "自動登入",
			"linesso": "單一登入", "mfa": "雙重驗證"},
		DeviceOn:           "%[2]s 上的 %[1]s",
		ListSep:            "、",
		BackToAccount:      "返回您的帳號",
		NotFoundTitle:      "找不到網頁",
		NotFound:           "這個網址沒有網頁。請確認連結，或從首頁重新開始。",
		OnlyWayInTitle:     "LINE 仍保持連結",
		OnlyWayIn:          "此帳號只能透過 LINE 登入：解除連結後，將沒有人能再登入此帳號。請先在帳號頁面設定密碼，再解除 LINE 連結。",
		LINEConnected:      "已連結",
		PasswordIsSet:      "已設定",
		NoPassword:         "未設定（僅能使用 LINE 登入）",
		OnlyWayInHint:      "您只能使用 LINE 登入。解除連結前，請先在下方設定密碼。",
		SetPasswordTitle:   "設定密碼",
		NewPasswordLabel:   "新密碼（至少 8 個字元）",
		SavePassword:       "儲存密碼",
		PasswordSaved:      "密碼已儲存。您現在可以使用帳號 ID 與此密碼登入。",
		PasswordTooShort:   "密碼至少需要 8 個字元。",
		PasswordAlreadySet: "此帳號已經設定密碼。",
	},
	language.Thai: {
		Lang:               "th",
		DemoNote:           "โหมดสาธิต: เข้าสู่ระบบด้วยแพลตฟอร์ม LINE จำลองที่ติดตั้งมาในตัว (linetest) ไม่ต้องใช้บัญชี LINE",
		Welcome:            "ยินดีต้อนรับ",
		LoginPrompt:        "เข้าสู่ระบบด้วยบัญชี LINE ของคุณเพื่อดูโปรไฟล์",
		LoginButton:        "เข้าสู่ระบบด้วย LINE",
		Hello:              "สวัสดี คุณ %s",
		YourProfile:        "โปรไฟล์ของคุณ",
		LogOut:             "ออกจากระบบ",
		MeTitle:            "โปรไฟล์ LINE ของคุณ",
		UserID:             "รหัสผู้ใช้",
		Email:              "อีเมล",
		NotVerified:        "(ไม่ได้ยืนยันโดย LINE)",
		AccountHere:        "บัญชีของคุณในเว็บไซต์นี้",
		Friend:             "เป็นเพื่อนกับบัญชีทางการ LINE ของเรา",
		Yes:                "ใช่",
		No:                 "ไม่ใช่",
		Unknown:            "ไม่ทราบ",
		LoggedInVia:        "เข้าสู่ระบบด้วย",
		Home:               "หน้าแรก",
		YourAccount:        "บัญชีของคุณ",
		MemberPrompt:       "เป็นสมาชิกของเว็บไซต์นี้อยู่แล้วใช่ไหม เชื่อมต่อ LINE กับบัญชีของคุณได้ที่นี่:",
		MemberSignIn:       "เข้าสู่ระบบด้วยบัญชีของคุณ",
		AccountSignInTitle: "เข้าสู่ระบบบัญชีของคุณ",
		AccountIDLabel:     "รหัสบัญชี",
		PasswordLabel:      "รหัสผ่าน",
		SignIn:             "เข้าสู่ระบบ",
		WrongPassword:      "รหัสบัญชีหรือรหัสผ่านไม่ถูกต้อง",
		DemoAccountsNote:   "บัญชีสำหรับทดลองจะแสดงในล็อกของแอปเมื่อเริ่มทำงาน (เช่น alice / alice-password)",
		AccountTitle:       "บัญชีของคุณ",
		AccountLabel:       "บัญชี",
		NotConnected:       "ยังไม่ได้เชื่อมต่อ",
		Unlink:             "ยกเลิกการเชื่อมต่อ",
		ConnectLINE:        "เชื่อมต่อกับ LINE",
		SessionsTitle:      "อุปกรณ์ที่เข้าสู่ระบบอยู่",
		Device:             "อุปกรณ์",
		LoggedIn:           "เข้าสู่ระบบเมื่อ",
		LastSeen:           "ใช้งานล่าสุด",
		UnknownDevice:      "อุปกรณ์ที่ไม่รู้จัก",
		ThisOne:            "(อุปกรณ์นี้)",
		End:                "ออกจากระบบ",
		EndOthers:          "ออกจากระบบจากอุปกรณ์อื่นทั้งหมด",
		LogOutHere:         "ออกจากระบบเครื่องนี้",
		AMR: map[string]string{"pwd": "อีเมลและรหัสผ่าน", "lineqr": "คิวอาร์โค้ด", "lineautologin": "เข้าสู่ระบบอัตโนมัติ",
			"linesso": "การลงชื่อเข้าใช้ครั้งเดียว", "mfa": "การยืนยันตัวตนสองขั้นตอน"},
		DeviceOn:           "%[1]s บน %[2]s",
		ListSep:            ", ",
		BackToAccount:      "กลับไปที่บัญชีของคุณ",
		NotFoundTitle:      "ไม่พบหน้านี้",
		NotFound:           "ไม่มีหน้าที่ที่อยู่นี้ กรุณาตรวจสอบลิงก์ หรือเริ่มใหม่จากหน้าแรก",
		OnlyWayInTitle:     "ยังคงเชื่อมต่อกับ LINE",
		OnlyWayIn:          "บัญชีนี้เข้าสู่ระบบได้ด้วย LINE เท่านั้น หากยกเลิกการเชื่อมต่อ จะไม่มีใครเข้าสู่ระบบบัญชีนี้ได้อีก กรุณาตั้งรหัสผ่านในหน้าบัญชีของคุณก่อน แล้วจึงยกเลิกการเชื่อมต่อ LINE",
		LINEConnected:      "เชื่อมต่อแล้ว",
		PasswordIsSet:      "ตั้งไว้แล้ว",
		NoPassword:         "ยังไม่ได้ตั้ง (เข้าสู่ระบบด้วย LINE เท่านั้น)",
		OnlyWayInHint:      "คุณเข้าสู่ระบบได้ด้วย LINE เท่านั้น กรุณาตั้งรหัสผ่านด้านล่างก่อนยกเลิกการเชื่อมต่อ",
		SetPasswordTitle:   "ตั้งรหัสผ่าน",
		NewPasswordLabel:   "รหัสผ่านใหม่ (อย่างน้อย 8 ตัวอักษร)",
		SavePassword:       "บันทึกรหัสผ่าน",
		PasswordSaved:      "บันทึกรหัสผ่านแล้ว ตอนนี้คุณเข้าสู่ระบบด้วยรหัสบัญชีและรหัสผ่านนี้ได้",
		PasswordTooShort:   "รหัสผ่านต้องมีอย่างน้อย 8 ตัวอักษร",
		PasswordAlreadySet: "บัญชีนี้มีรหัสผ่านอยู่แล้ว",
	},
}

// textsFor returns the texts of the language tag, English if there are
// none.
func textsFor(tag language.Tag) *texts {
	if t, ok := pageTexts[tag]; ok {
		return t
	}
	return pageTexts[language.English]
}
