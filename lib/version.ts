/** Version of the toolkit (keep equal to package.json "version"). */
export const VERSION = "0.1.0";
