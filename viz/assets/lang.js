// The language is remembered per browser in localStorage; the server reads it from a cookie (so the page
// is built in that language, with <html lang> set). If the two disagree (a cleared cookie), the cookie
// follows localStorage and the page reloads once.
(function () {
    var stored = window.localStorage && localStorage.getItem('parksim-lang');
    var cookie = (document.cookie.match(/(?:^|; )parksim_lang=([^;]*)/) || [])[1];
    if (stored && stored !== cookie) {
        document.cookie = 'parksim_lang=' + stored + '; path=/; max-age=31536000; SameSite=Lax';
        window.location.reload();
    }
})();
