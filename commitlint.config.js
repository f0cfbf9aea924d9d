// Commit messages: conventional commits (`feat(billing): …`), a subject of at most 72 characters,
// the detail in the body. Run by the commit-msg hook husky installs (`.husky/commit-msg`).
module.exports = {
  extends: ['@commitlint/config-conventional'],
  rules: {
    'header-max-length': [2, 'always', 72],
    // Bodies explain in sentences; long names and paths may run past the default 100.
    'body-max-line-length': [0],
    'footer-max-line-length': [0],
    'subject-case': [0],
  },
};
