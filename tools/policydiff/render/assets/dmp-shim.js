// diff_match_patch.js (vendored unchanged from npm) ends by assigning module.exports;
// give it an object to assign to in the browser.
var module = window.module || { exports: {} };
