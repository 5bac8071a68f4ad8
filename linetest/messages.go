package linetest

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// pageTexts are the words of the consent and form_post pages in one
// language. LINE's own screens follow the ui_locales of the authorize
// request, else the browser's language; so do these.
type pageTexts struct {
	Lang       string // for <html lang>
	Tagline    string
	AsksFor    string // followed by the app's host and channel
	ChannelFmt string // "(channel %s)"
	AddFriend  string // followed by the channel ID
	FriendNote string
	LogInAs    string
	NoPicture  string
	Cancel     string
	Note       string
	NoScript   string
	Continue   string
	Scopes     map[string]string
}

// texts holds every language the pages speak; English is the fallback.
var texts = map[string]*pageTexts{
	"en": {
		Lang:       "en",
		Tagline:    "linetest: a fake LINE Platform",
		AsksFor:    "The app at",
		ChannelFmt: "(channel %s) asks for:",
		AddFriend:  "Add the official account of channel %s as a friend",
		FriendNote: "Not shown to users who are friends already.",
		LogInAs:    "Log in as:",
		Cancel:     "Cancel",
		Note:       "No password here: this is a test platform. The real LINE shows its own login and consent screens.",
		NoScript:   "JavaScript is off: press the button to go back to the app.",
		Continue:   "Continue",
		Scopes: map[string]string{
			"profile": "profile: your display name, profile picture and status message",
			"openid":  "openid: your user ID, in an ID token",
			"email":   "email: your email address",
		},
	},
	"ja": {
		Lang:       "ja",
		Tagline:    "linetest：テスト用の LINE プラットフォーム",
		AsksFor:    "アプリ",
		ChannelFmt: "（チャネル %s）が次の情報へのアクセスを求めています：",
		AddFriend:  "チャネル %s の公式アカウントを友だち追加する",
		FriendNote: "すでに友だちのユーザーには表示されません。",
		LogInAs:    "ログインするユーザーを選んでください：",
		Cancel:     "キャンセル",
		Note:       "パスワードは不要です。これはテスト用のプラットフォームです。実際の LINE では LINE 独自のログイン画面と同意画面が表示されます。",
		NoScript:   "JavaScript が無効です。ボタンを押してアプリに戻ってください。",
		Continue:   "続ける",
		Scopes: map[string]string{
			"profile": "profile：表示名、プロフィール画像、ステータスメッセージ",
			"openid":  "openid：ユーザー ID（ID トークンに含まれます）",
			"email":   "email：メールアドレス",
		},
	},
	"zh-TW": {
		Lang:       "zh-TW",
		Tagline:    "linetest：測試用的 LINE 平台",
		AsksFor:    "應用程式",
		ChannelFmt: "（頻道 %s）要求存取以下資訊：",
		AddFriend:  "將頻道 %s 的官方帳號加入好友",
		FriendNote: "已經是好友的使用者不會看到此選項。",
		LogInAs:    "選擇要登入的使用者：",
		Cancel:     "取消",
		Note:       "這裡不需要密碼：這是測試用平台。實際的 LINE 會顯示其自己的登入與同意畫面。",
		NoScript:   "JavaScript 已停用：請按下按鈕返回應用程式。",
		Continue:   "繼續",
		Scopes: map[string]string{
			"profile": "profile：您的顯示名稱、大頭貼與狀態消息",
			"openid":  "openid：您的使用者 ID（包含在 ID 權杖中）",
			"email":   "email：您的電子郵件地址",
		},
	},
	"th": {
		Lang:       "th",
		Tagline:    "linetest: แพลตฟอร์ม LINE จำลองสำหรับการทดสอบ",
		AsksFor:    "แอป",
		ChannelFmt: "(แชแนล %s) ขอเข้าถึงข้อมูลต่อไปนี้:",
		AddFriend:  "เพิ่มบัญชีทางการของแชแนล %s เป็นเพื่อน",
		FriendNote: "ผู้ใช้ที่เป็นเพื่อนอยู่แล้วจะไม่เห็นตัวเลือกนี้",
		LogInAs:    "เลือกผู้ใช้ที่จะเข้าสู่ระบบ:",
		Cancel:     "ยกเลิก",
		Note:       "ไม่ต้องใช้รหัสผ่าน เนื่องจากนี่เป็นแพลตฟอร์มสำหรับทดสอบ LINE จริงจะแสดงหน้าจอเข้าสู่ระบบและหน้าจอขอความยินยอมของตนเอง",
		NoScript:   "JavaScript ถูกปิดอยู่ กรุณากดปุ่มเพื่อกลับไปที่แอป",
		Continue:   "ดำเนินการต่อ",
		Scopes: map[string]string{
			"profile": "profile: ชื่อที่แสดง รูปโปรไฟล์ และข้อความสถานะของคุณ",
			"openid":  "openid: User ID ของคุณ ในรูปแบบ ID token",
			"email":   "email: อีเมลของคุณ",
		},
	},
}

// pageLanguages are the languages of texts, English first: the matcher
// falls back to the first.
var pageLanguages = []language.Tag{language.English, language.Japanese, language.MustParse("zh-TW"), language.Thai}

var pageMatcher = language.NewMatcher(pageLanguages)

// textsFor picks the page language from ui_locales (space-separated, in
// order of preference, as LINE takes it) and then Accept-Language.
func textsFor(r *http.Request, uiLocales string) *pageTexts {
	var prefs []language.Tag
	for _, s := range strings.Fields(uiLocales) {
		if t, err := language.Parse(s); err == nil {
			prefs = append(prefs, t)
		}
	}
	if accept, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		prefs = append(prefs, accept...)
	}
	_, i, _ := pageMatcher.Match(prefs...)
	return texts[[]string{"en", "ja", "zh-TW", "th"}[i]]
}
