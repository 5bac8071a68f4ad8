package main

// securityTexts are the words of /me/security and /me/email in one
// language, beside the example's other texts (see texts).
type securityTexts struct {
	SecurityTitle   string
	RecentNote      string
	AuthenticatedAt string
	EmailTitle      string
	EmailDeclined   string
}

// securityPageTexts are keyed by texts.Lang; English is the fallback.
var securityPageTexts = map[string]*securityTexts{
	"en": {
		SecurityTitle:   "Security",
		RecentNote:      "This page needs a LINE authentication within the last 5 minutes.",
		AuthenticatedAt: "Last authenticated with LINE",
		EmailTitle:      "Email address",
		EmailDeclined:   "You did not share your email address with this app, so it is not shown. (LINE may also have none for your account.)",
	},
	"ja": {
		SecurityTitle:   "セキュリティ",
		RecentNote:      "このページを表示するには、5分以内にLINEで認証している必要があります。",
		AuthenticatedAt: "LINEで最後に認証した日時",
		EmailTitle:      "メールアドレス",
		EmailDeclined:   "メールアドレスの提供が許可されなかったため、表示できません（LINEアカウントにメールアドレスが登録されていない場合もあります）。",
	},
	"zh-TW": {
		SecurityTitle:   "安全性",
		RecentNote:      "此頁面需要您在過去 5 分鐘內透過 LINE 驗證身分。",
		AuthenticatedAt: "最近一次透過 LINE 驗證的時間",
		EmailTitle:      "電子郵件地址",
		EmailDeclined:   "您未同意提供電子郵件地址，因此無法顯示（您的 LINE 帳號也可能未登錄電子郵件地址）。",
	},
	"th": {
		SecurityTitle:   "ความปลอดภัย",
		RecentNote:      "หน้านี้ต้องการการยืนยันตัวตนกับ LINE ภายใน 5 นาทีที่ผ่านมา",
		AuthenticatedAt: "ยืนยันตัวตนกับ LINE ล่าสุดเมื่อ",
		EmailTitle:      "อีเมล",
		EmailDeclined:   "คุณไม่ได้อนุญาตให้แอปนี้เข้าถึงอีเมลของคุณ จึงไม่แสดงไว้ที่นี่ (บัญชี LINE ของคุณอาจไม่มีอีเมลด้วย)",
	},
}

// securityTextsFor returns the texts of the language lang (a texts.Lang),
// English if there are none.
func securityTextsFor(lang string) *securityTexts {
	if t, ok := securityPageTexts[lang]; ok {
		return t
	}
	return securityPageTexts["en"]
}
