export const testLoginPasswords = { portal: 'test-portal', backoffice: 'test-backoffice' };
