; Inno Setup script of Matome's Windows installer: Matome-<version>-windows-x64-setup.exe.
;
; Build the bundle first (packaging/build in Git Bash, or by hand — see packaging/README.md),
; then, from the project root:
;     iscc /DAppVersion=0.1.0 packaging\windows\matome.iss
; (packaging/build runs this itself when iscc.exe is on PATH.)
;
; It installs for the current user by default (no administrator rights: office PCs often have
; none) and offers "all users" in the privileges dialog. It adds a Start-menu shortcut, an
; optional desktop shortcut, "Open with > Matome" for .pdf, .docx, .txt and .md files (without
; taking over the default program), and an uninstaller. Settings, models and history in the
; user's AppData folders are left in place on uninstall: models are large and costly to fetch.
;
; OpenMP: llama.cpp built with MSVC imports vcomp140.dll. packaging/matome.spec copies it into
; the bundle (Matome\_internal\llama_cpp\lib), so the installer needs no Visual C++
; redistributable; see packaging/README.md, "Windows".

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Matome"
#define AppExe "Matome.exe"
#define ProgId "Matome.Document"
#define SourceRoot "..\.."

[Setup]
; A fixed AppId: an upgrade finds and replaces the earlier installation. Never change it.
AppId={{6E2C9A51-3F4B-4C8E-9D1A-7B5E2F0C8A43}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Matome
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; llama.cpp and Qt 6 need Windows 10 or later.
MinVersion=10.0
OutputDir={#SourceRoot}\dist
OutputBaseFilename=Matome-{#AppVersion}-windows-x64-setup
SetupIconFile={#SourceRoot}\resources\icons\matome.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceRoot}\dist\Matome\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade must not keep libraries of the previous version beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The program's own class: what "Open with > Matome" runs. HKA is HKCU for a per-user install
; and HKLM for an all-users one.
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "Document for Matome"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; The application's registration, so Windows lists it in "Open with" for these types.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".pdf"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".docx"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".txt"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".md"; ValueData: ""
; OpenWithProgids adds Matome to each type's "Open with" list without becoming its default.
Root: HKA; Subkey: "Software\Classes\.pdf\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.docx\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.txt\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.md\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
