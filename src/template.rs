//! Source templates that `blastool template` renders: the C `DllMain` glue that calls a statically
//! linked library's constructor and destructor on DLL load and `FreeLibrary`, plus the checks on
//! the names substituted into it.
//!
//! The template text is compiled into the binary, so an installed `blastool` needs no source tree.
//! Placeholders are `{{NAME}}` (uppercase letters, digits and `_`); every placeholder in the
//! template must have a value, so a template edit that adds one without a value is an error
//! rather than a stray `{{...}}` in the user's C file.

use std::fmt;

/// The `DllMain` template (`templates/dllmain.c.in`).
const DLLMAIN_TEMPLATE: &str = include_str!("../templates/dllmain.c.in");

/// Longest function name accepted for `--init` / `--quit`.
///
/// C only guarantees 31 significant characters for external names, but every toolchain we target
/// accepts far more; the cap keeps a pasted blob from being taken for a name.
pub const MAX_IDENTIFIER_LEN: usize = 255;

/// What to put into the rendered `DllMain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DllMainSpec {
    /// Called on `DLL_PROCESS_ATTACH` (e.g. `gotoblas_init`).
    pub init: String,
    /// Called on `DLL_PROCESS_DETACH` caused by `FreeLibrary` (e.g. `gotoblas_quit`).
    pub quit: String,
}

/// Why a rendering request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A function name given on the command line is not usable as a C identifier here.
    InvalidName {
        /// The flag it came from, e.g. `--init`.
        flag: &'static str,
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: NameError,
    },
    /// `--init` and `--quit` name the same function.
    SameFunction {
        /// The name given to both flags.
        name: String,
    },
    /// The template holds a `{{NAME}}` placeholder that has no value. A bug in blastool.
    UnknownPlaceholder {
        /// The placeholder's name, without braces.
        name: String,
    },
    /// The template holds a `{{` that does not start a well-formed placeholder. A bug in
    /// blastool.
    MalformedPlaceholder {
        /// Byte offset of the `{{` in the template.
        offset: usize,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::InvalidName { flag, name, reason } => write!(
                f,
                "{flag} '{}' is not a C identifier: {reason}",
                name.escape_debug()
            ),
            TemplateError::SameFunction { name } => write!(
                f,
                "--init and --quit are both '{}': they must name two different functions",
                name.escape_debug()
            ),
            TemplateError::UnknownPlaceholder { name } => write!(
                f,
                "internal error: the template uses placeholder {{{{{name}}}}}, which has no value"
            ),
            TemplateError::MalformedPlaceholder { offset } => write!(
                f,
                "internal error: the template has a malformed placeholder at byte {offset}"
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

/// What makes a string unusable as the name of the C function to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// The empty string.
    Empty,
    /// Longer than [`MAX_IDENTIFIER_LEN`] characters.
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    /// The first character is not an ASCII letter or `_`.
    BadFirstChar(char),
    /// A later character is not an ASCII letter, digit or `_`.
    BadChar {
        /// The offending character.
        ch: char,
        /// Its 1-based position in the name, in characters.
        position: usize,
    },
    /// A keyword of ISO C (C89 through C23).
    Keyword,
    /// A keyword that GCC, clang or MSVC adds to C.
    CompilerKeyword,
    /// A name the rendered file itself uses; declaring a function by that name would clash.
    UsedByTemplate,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("it is empty"),
            NameError::TooLong { len } => write!(
                f,
                "it is {len} characters long; the limit is {MAX_IDENTIFIER_LEN}"
            ),
            NameError::BadFirstChar(ch) => write!(
                f,
                "it starts with {ch:?}; a C identifier starts with an ASCII letter or '_'"
            ),
            NameError::BadChar { ch, position } => write!(
                f,
                "character {position} is {ch:?}; a C identifier holds only ASCII letters, \
                 digits and '_'"
            ),
            NameError::Keyword => f.write_str("it is a C keyword"),
            NameError::CompilerKeyword => f.write_str("it is a keyword of GCC, clang or MSVC"),
            NameError::UsedByTemplate => f.write_str(
                "the generated DllMain file already uses that name \
                 (DllMain, its parameters or a Windows name it refers to)",
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// ISO C keywords, C89 through C23. `_Pragma` is an operator, not a keyword, but cannot name a
/// function either.
const C_KEYWORDS: &[&str] = &[
    "alignas",
    "alignof",
    "auto",
    "bool",
    "break",
    "case",
    "char",
    "const",
    "constexpr",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "false",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "nullptr",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "struct",
    "switch",
    "thread_local",
    "true",
    "typedef",
    "typeof",
    "typeof_unqual",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_BitInt",
    "_Bool",
    "_Complex",
    "_Decimal128",
    "_Decimal32",
    "_Decimal64",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Pragma",
    "_Static_assert",
    "_Thread_local",
];

/// Keywords the compilers that build the rendered file (GCC/MinGW, clang, MSVC) add to C. Not
/// exhaustive; these are the ones a user could plausibly type.
const COMPILER_KEYWORDS: &[&str] = &[
    "asm",
    "__asm",
    "__asm__",
    "__attribute__",
    "__cdecl",
    "__declspec",
    "__fastcall",
    "__forceinline",
    "__inline",
    "__inline__",
    "__int8",
    "__int16",
    "__int32",
    "__int64",
    "__restrict",
    "__stdcall",
    "__typeof__",
    "__vectorcall",
];

/// Identifiers the rendered `DllMain` file refers to itself. A function with one of these names
/// would collide with the definition, shadow a parameter, or be eaten by a macro.
const TEMPLATE_IDENTIFIERS: &[&str] = &[
    "BOOL",
    "DLL_PROCESS_ATTACH",
    "DLL_PROCESS_DETACH",
    "DWORD",
    "DisableThreadLibraryCalls",
    "DllMain",
    "HINSTANCE",
    "LPVOID",
    "NULL",
    "TRUE",
    "WIN32_LEAN_AND_MEAN",
    "WINAPI",
    "fdwReason",
    "hinstDLL",
    "lpReserved",
];

/// Checks that `name` can be declared and called as a C function in the rendered file:
/// `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_IDENTIFIER_LEN`] characters, not a keyword and not a
/// name the template already uses.
pub fn check_c_identifier(name: &str) -> Result<(), NameError> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(NameError::Empty);
    };
    let len = name.chars().count();
    if len > MAX_IDENTIFIER_LEN {
        return Err(NameError::TooLong { len });
    }
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err(NameError::BadFirstChar(first));
    }
    if let Some((index, ch)) = chars
        .enumerate()
        .find(|&(_, ch)| !(ch.is_ascii_alphanumeric() || ch == '_'))
    {
        // `index` counts from the second character; positions are 1-based.
        return Err(NameError::BadChar {
            ch,
            position: index + 2,
        });
    }
    if C_KEYWORDS.contains(&name) {
        return Err(NameError::Keyword);
    }
    if COMPILER_KEYWORDS.contains(&name) {
        return Err(NameError::CompilerKeyword);
    }
    if TEMPLATE_IDENTIFIERS.contains(&name) {
        return Err(NameError::UsedByTemplate);
    }
    Ok(())
}

/// Renders the C source of a `DllMain` that calls `spec.init` on `DLL_PROCESS_ATTACH` and
/// `spec.quit` on `DLL_PROCESS_DETACH` when the DLL is unloaded by `FreeLibrary` (not at process
/// exit).
///
/// Both names must be valid, distinct C identifiers (see [`check_c_identifier`]).
pub fn render_dllmain(spec: &DllMainSpec) -> Result<String, TemplateError> {
    for (flag, name) in [("--init", &spec.init), ("--quit", &spec.quit)] {
        check_c_identifier(name).map_err(|reason| TemplateError::InvalidName {
            flag,
            name: name.clone(),
            reason,
        })?;
    }
    if spec.init == spec.quit {
        return Err(TemplateError::SameFunction {
            name: spec.init.clone(),
        });
    }
    substitute(
        DLLMAIN_TEMPLATE,
        &[
            ("INIT", &spec.init),
            ("QUIT", &spec.quit),
            ("BLASTOOL_VERSION", env!("CARGO_PKG_VERSION")),
        ],
    )
}

/// Replaces every `{{KEY}}` in `template` by its value in one left-to-right pass.
///
/// Values are inserted verbatim and never scanned again, so a value cannot inject a placeholder.
/// Any `{{` that is not a known, well-formed placeholder is an error, which guarantees that no
/// placeholder survives into the output.
fn substitute(template: &str, values: &[(&str, &str)]) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let offset = template.len() - rest.len() + start;
        out.push_str(&rest[..start]);
        let after_open = &rest[start + 2..];
        // A key is a short run of [A-Z0-9_] closed by `}}`; anything else is malformed, which
        // also stops an unclosed `{{` from swallowing the rest of the file as a "name".
        let key_len = after_open
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let key = &after_open[..key_len];
        if key.is_empty() || !after_open[key_len..].starts_with("}}") {
            return Err(TemplateError::MalformedPlaceholder { offset });
        }
        let value = values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .ok_or_else(|| TemplateError::UnknownPlaceholder {
                name: key.to_owned(),
            })?;
        out.push_str(value);
        rest = &after_open[key_len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(init: &str, quit: &str) -> DllMainSpec {
        DllMainSpec {
            init: init.to_owned(),
            quit: quit.to_owned(),
        }
    }

    fn openblas() -> String {
        render_dllmain(&spec("gotoblas_init", "gotoblas_quit")).expect("renders")
    }

    #[test]
    fn accepts_valid_identifiers() {
        for name in [
            "gotoblas_init",
            "_",
            "_init",
            "x",
            "X9",
            "__lib_quit",
            "Init_2",
            "main",
            "int_",
            "Int",
        ] {
            assert_eq!(check_c_identifier(name), Ok(()), "{name}");
        }
        let longest = "a".repeat(MAX_IDENTIFIER_LEN);
        assert_eq!(check_c_identifier(&longest), Ok(()));
    }

    #[test]
    fn rejects_malformed_identifiers() {
        assert_eq!(check_c_identifier(""), Err(NameError::Empty));
        assert_eq!(
            check_c_identifier("1init"),
            Err(NameError::BadFirstChar('1'))
        );
        assert_eq!(
            check_c_identifier("-init"),
            Err(NameError::BadFirstChar('-'))
        );
        assert_eq!(
            check_c_identifier("x y"),
            Err(NameError::BadChar {
                ch: ' ',
                position: 2
            })
        );
        assert_eq!(
            check_c_identifier("lib-quit"),
            Err(NameError::BadChar {
                ch: '-',
                position: 4
            })
        );
        assert_eq!(
            check_c_identifier("init();"),
            Err(NameError::BadChar {
                ch: '(',
                position: 5
            })
        );
        assert_eq!(
            check_c_identifier("inité"),
            Err(NameError::BadChar {
                ch: 'é',
                position: 5
            })
        );
        assert_eq!(check_c_identifier("é"), Err(NameError::BadFirstChar('é')));
        assert_eq!(
            check_c_identifier("quit\n"),
            Err(NameError::BadChar {
                ch: '\n',
                position: 5
            })
        );
        let too_long = "a".repeat(MAX_IDENTIFIER_LEN + 1);
        assert_eq!(
            check_c_identifier(&too_long),
            Err(NameError::TooLong {
                len: MAX_IDENTIFIER_LEN + 1
            })
        );
    }

    #[test]
    fn rejects_keywords_and_template_names() {
        for kw in [
            "int", "void", "return", "_Bool", "bool", "typeof", "_Pragma",
        ] {
            assert_eq!(check_c_identifier(kw), Err(NameError::Keyword), "{kw}");
        }
        for kw in ["__declspec", "asm", "__stdcall", "__int64"] {
            assert_eq!(
                check_c_identifier(kw),
                Err(NameError::CompilerKeyword),
                "{kw}"
            );
        }
        for name in ["DllMain", "lpReserved", "NULL", "DisableThreadLibraryCalls"] {
            assert_eq!(
                check_c_identifier(name),
                Err(NameError::UsedByTemplate),
                "{name}"
            );
        }
    }

    #[test]
    fn invalid_name_errors_name_the_flag() {
        let err = render_dllmain(&spec("x y", "quit")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--init 'x y' is not a C identifier: character 2 is ' '; a C identifier holds \
             only ASCII letters, digits and '_'"
        );

        let err = render_dllmain(&spec("init", "int")).unwrap_err();
        assert!(matches!(
            err,
            TemplateError::InvalidName {
                flag: "--quit",
                reason: NameError::Keyword,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "--quit 'int' is not a C identifier: it is a C keyword"
        );

        // Control characters are shown escaped, not printed raw into the terminal.
        let err = render_dllmain(&spec("a\nb", "quit")).unwrap_err();
        assert!(
            err.to_string().starts_with("--init 'a\\nb' is not"),
            "{err}"
        );
    }

    #[test]
    fn rejects_same_init_and_quit() {
        let err = render_dllmain(&spec("lib_init", "lib_init")).unwrap_err();
        assert_eq!(
            err,
            TemplateError::SameFunction {
                name: "lib_init".into()
            }
        );
        assert!(err.to_string().contains("'lib_init'"), "{err}");
    }

    #[test]
    fn template_uses_every_placeholder() {
        for key in ["{{INIT}}", "{{QUIT}}", "{{BLASTOOL_VERSION}}"] {
            assert!(DLLMAIN_TEMPLATE.contains(key), "template lacks {key}");
        }
    }

    #[test]
    fn rendering_replaces_all_placeholders() {
        let c = openblas();
        assert!(!c.contains("{{"), "placeholder left:\n{c}");
        assert!(!c.contains("}}"), "placeholder left:\n{c}");
        assert!(c.contains(concat!("blastool ", env!("CARGO_PKG_VERSION"))));
        assert!(c.contains("blastool template dllmain --init gotoblas_init --quit gotoblas_quit"));
    }

    #[test]
    fn rendered_dllmain_declares_and_calls_both_functions() {
        let c = openblas();
        assert!(c.contains("#include <windows.h>"));
        assert!(c.contains("extern void gotoblas_init(void);"));
        assert!(c.contains("extern void gotoblas_quit(void);"));
        assert!(c.contains(
            "BOOL WINAPI DllMain(HINSTANCE hinstDLL, DWORD fdwReason, LPVOID lpReserved)"
        ));
        assert!(c.contains("DisableThreadLibraryCalls(hinstDLL);"));

        // INIT is called on attach, QUIT on detach and only under the FreeLibrary check.
        let attach = c.find("case DLL_PROCESS_ATTACH:").expect("attach case");
        let detach = c.find("case DLL_PROCESS_DETACH:").expect("detach case");
        let init_call = c.find("gotoblas_init();").expect("init call");
        let guard = c
            .find("if (lpReserved == NULL)")
            .expect("FreeLibrary guard");
        let quit_call = c.find("gotoblas_quit();").expect("quit call");
        assert!(attach < init_call && init_call < detach, "{c}");
        assert!(detach < guard && guard < quit_call, "{c}");
        assert_eq!(c.matches("gotoblas_init();").count(), 1);
        assert_eq!(c.matches("gotoblas_quit();").count(), 1);
    }

    #[test]
    fn substitute_is_single_pass() {
        let out = substitute("a{{X}}b{{Y}}c", &[("X", "{{Y}}"), ("Y", "y")]).unwrap();
        assert_eq!(out, "a{{Y}}byc");
    }

    #[test]
    fn substitute_rejects_unknown_and_malformed_placeholders() {
        assert_eq!(
            substitute("x {{NOPE}} y", &[("X", "1")]),
            Err(TemplateError::UnknownPlaceholder {
                name: "NOPE".into()
            })
        );
        assert_eq!(
            substitute("ab{{X y", &[("X", "1")]),
            Err(TemplateError::MalformedPlaceholder { offset: 2 })
        );
        assert_eq!(
            substitute("{{}}", &[]),
            Err(TemplateError::MalformedPlaceholder { offset: 0 })
        );
        assert_eq!(
            substitute("{{ X }}", &[("X", "1")]),
            Err(TemplateError::MalformedPlaceholder { offset: 0 })
        );
        assert_eq!(
            substitute("no placeholders", &[]).unwrap(),
            "no placeholders"
        );
    }
}
