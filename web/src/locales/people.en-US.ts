import type peopleZhCN from './people.zh-CN';

/** People (people.*): the English copy. */
const peopleEnUS: typeof peopleZhCN = {
  search: {
    placeholder: 'Search username or name',
    button: 'Search',
    allRoles: 'All roles',
    allTowns: 'All towns',
    enterprise: 'Enterprise USCC',
    allStates: 'All states',
    clear: 'Clear filters',
  },
  mustChange: 'Must change password',
  mustChangeTip: 'The user must change the password at the next sign-in',
  edit: {
    action: 'Edit',
    title: 'Edit user · {{name}}',
    save: 'Save',
    saved: 'User saved',
    selfRole: 'You cannot change your own role',
    townHint: 'A town officer sees and handles the data of their own town only',
    enterpriseHint: 'Enterprise, lab and maintenance-unit accounts need the USCC of their organisation',
  },
  password: {
    mode: 'Password',
    generate: 'Generate one (recommended)',
    type: 'Type one',
    generateHint: 'A random 16-character password, shown once; the user must change it at the first sign-in.',
    typeHint: 'The password you type; the user can use it as it is.',
    createHint:
      'Leave it blank to have a random 16-character password generated, shown once; the user must change it at the first sign-in.',
    createPlaceholder: 'Blank: generated',
    resetTitle: 'Reset the password of {{name}}',
    resetHint: "The user's open sessions end; they must change the password at the next sign-in.",
    resetSubmit: 'Reset password',
    generatedTitle: 'Hand this password to the user',
    generatedFor: 'Password of {{name}} ({{username}}):',
    generatedOnce:
      'This password is shown only this once. The user must replace it with their own at the first sign-in.',
    copied: 'Copied',
    close: 'I have noted it',
  },
  rules: {
    title: 'Password rules',
    length: 'At least 10 characters (at most 128)',
    classes: 'At least 3 of: upper-case letters, lower-case letters, digits, symbols',
    username: 'Not the username',
    common: 'Not a common password (like 123456, woaini1314, P@ssw0rd) nor the published demo password',
  },
  change: {
    menu: 'Change password',
    title: 'Change password',
    current: 'Current password',
    new: 'New password',
    repeat: 'Repeat the new password',
    required: 'Enter the {{field}}',
    mismatch: 'The two new passwords differ',
    sameAsCurrent: 'The new password must differ from the current one',
    submit: 'Change',
    done: 'Password changed; your sessions on other devices were signed out',
  },
  forced: {
    title: 'Set a new password',
    notice:
      'This is your first sign-in, or an administrator reset your password, or it is published or common. Set your own new password to go on.',
    submit: 'Change password and continue',
  },
};

export default peopleEnUS;
