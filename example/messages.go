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
}

// pageTexts holds every text of the example's pages, English first (the
// fallback).
var pageTexts = map[language.Tag]*texts{
	language.English: {
		Lang:        "en",
		DemoNote:    "Demo mode: logging in with the embedded fake LINE Platform (linetest). No LINE account needed.",
		Welcome:     "Welcome",
		LoginPrompt: "Log in with your LINE account to see your profile.",
		LoginButton: "Log in with LINE",
		Hello:       "Hello, %s!",
		YourProfile: "Your profile",
		LogOut:      "Log out",
		MeTitle:     "Your LINE profile",
		UserID:      "User ID",
		Email:       "Email",
		NotVerified: "(not verified by LINE)",
		AccountHere: "Your account here",
		Friend:      "Friend of our LINE account",
		Yes:         "yes",
		No:          "no",
		Unknown:     "unknown",
		LoggedInVia: "Logged in with",
		Home:        "Home",
	},
	language.Japanese: {
		Lang:        "ja",
		DemoNote:    "デモモード：組み込みの疑似LINEプラットフォーム（linetest）でログインします。LINEアカウントは不要です。",
		Welcome:     "ようこそ",
		LoginPrompt: "LINEアカウントでログインすると、プロフィールを表示できます。",
		LoginButton: "LINEでログイン",
		Hello:       "こんにちは、%sさん",
		YourProfile: "プロフィール",
		LogOut:      "ログアウト",
		MeTitle:     "LINEのプロフィール",
		UserID:      "ユーザーID",
		Email:       "メールアドレス",
		NotVerified: "（LINEでは確認されていません）",
		AccountHere: "このサイトのアカウント",
		Friend:      "LINE公式アカウントの友だち",
		Yes:         "はい",
		No:          "いいえ",
		Unknown:     "不明",
		LoggedInVia: "ログイン方法",
		Home:        "ホーム",
	},
	language.MustParse("zh-TW"): {
		Lang:        "zh-TW",
		DemoNote:    "示範模式：使用內建的模擬 LINE 平台（linetest）登入，不需要 LINE 帳號。",
		Welcome:     "歡迎",
		LoginPrompt: "使用 LINE 帳號登入，即可查看您的個人檔案。",
		LoginButton: "使用 LINE 登入",
		Hello:       "%s，您好！",
		YourProfile: "個人檔案",
		LogOut:      "登出",
		MeTitle:     "您的 LINE 個人檔案",
		UserID:      "使用者 ID",
		Email:       "電子郵件",
		NotVerified: "（未經 LINE 驗證）",
		AccountHere: "您在本站的帳號",
		Friend:      "是否為 LINE 官方帳號的好友",
		Yes:         "是",
		No:          "否",
		Unknown:     "未知",
		LoggedInVia: "登入方式",
		Home:        "首頁",
	},
	language.Thai: {
		Lang:        "th",
		DemoNote:    "โหมดสาธิต: เข้าสู่ระบบด้วยแพลตฟอร์ม LINE จำลองที่ติดตั้งมาในตัว (linetest) ไม่ต้องใช้บัญชี LINE",
		Welcome:     "ยินดีต้อนรับ",
		LoginPrompt: "เข้าสู่ระบบด้วยบัญชี LINE ของคุณเพื่อดูโปรไฟล์",
		LoginButton: "เข้าสู่ระบบด้วย LINE",
		Hello:       "สวัสดี คุณ %s",
		YourProfile: "โปรไฟล์ของคุณ",
		LogOut:      "ออกจากระบบ",
		MeTitle:     "โปรไฟล์ LINE ของคุณ",
		UserID:      "รหัสผู้ใช้",
		Email:       "อีเมล",
		NotVerified: "(ไม่ได้ยืนยันโดย LINE)",
		AccountHere: "บัญชีของคุณในเว็บไซต์นี้",
		Friend:      "เป็นเพื่อนกับบัญชีทางการ LINE ของเรา",
		Yes:         "ใช่",
		No:          "ไม่ใช่",
		Unknown:     "ไม่ทราบ",
		LoggedInVia: "เข้าสู่ระบบด้วย",
		Home:        "หน้าแรก",
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
