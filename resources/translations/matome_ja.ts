<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name>Application</name>
    <message>
        <location filename="../../app/ui/application.py" line="+168"/>
        <source>Settings reset</source>
        <extracomment>What Qt&apos;s xcb platform plugin loads, and the Debian/Ubuntu package that provides it. Families with Japanese glyph shapes, best first (Chinese fonts draw some kanji differently).</extracomment>
        <translation>設定をリセットしました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Matome started with default settings. You can change them in Settings.</source>
        <translation>Matome は既定の設定で起動しました。設定は「設定」からいつでも変更できます。</translation>
    </message>
</context>
<context>
    <name>CatalogTable</name>
    <message>
        <location filename="../../app/ui/settings_pages/catalog_table.py" line="+22"/>
        <source>Fits</source>
        <extracomment>Badge colours that read on light and dark themes alike.</extracomment>
        <translation>動作可能</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>May be slow</source>
        <translation>低速の可能性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Won&apos;t fit</source>
        <translation>メモリ不足</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Needs about {need} of memory; this computer has {total} in all.</source>
        <translation>約 {need} のメモリが必要ですが、このコンピューターのメモリは合計 {total} です。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Needs about {need}; only {free} is free now, so other programs will be pushed aside while it runs.</source>
        <translation>約 {need} のメモリが必要です。現在の空きは {free} しかないため、実行中はほかのプログラムが使うメモリを圧迫します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fits in memory, but {cores} processor cores make a model this size slow.</source>
        <translation>メモリには収まりますが、CPU コアが {cores} 個のため、このサイズのモデルでは処理が遅くなります。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Needs about {need} of memory; {free} is free.</source>
        <translation>約 {need} のメモリが必要です（現在の空き: {free}）。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Download</source>
        <translation>ダウンロードサイズ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Languages</source>
        <translation>言語</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Licence</source>
        <translation>ライセンス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This computer</source>
        <translation>このコンピューター</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{parameters} parameters · {quantization} · {context} tokens context</source>
        <translation>パラメーター数 {parameters} · {quantization} · コンテキスト長 {context} トークン</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recommended for this computer ({languages}).</source>
        <translation>このコンピューターにおすすめです（{languages}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Estimated; the exact size is known when the download starts.</source>
        <translation>推定値です。正確なサイズはダウンロードの開始時にわかります。</translation>
    </message>
</context>
<context>
    <name>Citations</name>
    <message>
        <location filename="../../app/ui/citations.py" line="+62"/>
        <source>— Page {page} —</source>
        <translation>— {page} ページ —</translation>
    </message>
</context>
<context>
    <name>DocumentController</name>
    <message>
        <location filename="../../app/ui/document_controller.py" line="+222"/>
        <source>The file is no longer at {path}. Its summary is shown from the history; to ask questions, open the file again.</source>
        <extracomment>(entry id, whether a password was given and was wrong): an encrypted PDF needs one.</extracomment>
        <translation>ファイルが {path} に見つかりません。履歴に保存された要約を表示しています。質問するには、ファイルをもう一度開いてください。</translation>
    </message>
</context>
<context>
    <name>DocumentList</name>
    <message>
        <location filename="../../app/ui/document_list.py" line="+143"/>
        <source>Try again</source>
        <translation>再試行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summarize again</source>
        <translation>もう一度要約</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove from list</source>
        <translation>一覧から削除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget this document…</source>
        <translation>この文書を忘れる…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Open…</source>
        <translation>開く…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open documents (Ctrl+O)</source>
        <translation>ドキュメントを開きます (Ctrl+O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the selected document from the list (Delete)</source>
        <translation>選択したドキュメントを一覧から削除します (Delete)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drop PDF, Word, text or Markdown files or folders here</source>
        <translation>PDF、Word、テキスト、Markdown のファイルやフォルダーをここにドロップしてください</translation>
    </message>
</context>
<context>
    <name>DocumentsPage</name>
    <message>
        <location filename="../../app/ui/settings_pages/documents_page.py" line="+47"/>
        <source>Documents</source>
        <translation>ドキュメント</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> pages</source>
        <translation> ページ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> parts</source>
        <translation> パーツ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Largest &amp;file:</source>
        <translation>ファイルの最大サイズ(&amp;F):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Most &amp;pages:</source>
        <translation>最大ページ数(&amp;P):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Word file &amp;unpacked:</source>
        <translation>Word ファイルの展開後サイズ(&amp;U):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Word file p&amp;arts:</source>
        <translation>Word ファイルのパーツ数(&amp;A):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Time to read a file:</source>
        <translation>1 ファイルの読み込み時間(&amp;T):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Memory to read a file:</source>
        <translation>1 ファイルの読み込みメモリ(&amp;M):</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Files are read in a separate process that is stopped when it passes these limits, so a damaged or hostile file costs one error message, never the app. Raise a limit only for a file you trust.</source>
        <translation>ファイルは別のプロセスで読み込まれ、この上限を超えると停止されます。そのため、壊れたファイルや悪意のあるファイルでも、エラーメッセージが 1 つ出るだけでアプリは止まりません。上限を上げるのは、信頼できるファイルのときだけにしてください。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../app/ui/tasks.py" line="+46"/>
        <source>This document is protected by a password.</source>
        <extracomment>The gist of each kind of core error, most specific first (QT_TRANSLATE_NOOP marks them for lupdate; they are translated when shown).</extracomment>
        <translation>このドキュメントはパスワードで保護されています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This PDF has no text layer — it looks scanned. Run it through OCR first.</source>
        <translation>このPDFにはテキスト情報がありません。スキャンした文書のようです。先にOCR（文字認識）にかけてください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This file is damaged or incomplete.</source>
        <translation>このファイルは破損しているか、途中までしかありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This file has no text to read.</source>
        <translation>このファイルには読み取れるテキストがありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matome cannot read this kind of file. It reads PDF, Word (.docx), text and Markdown.</source>
        <translation>この種類のファイルは読み込めません。読み込めるのは PDF、Word (.docx)、テキスト、Markdown です。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This file is over a limit in Settings → Documents.</source>
        <translation>このファイルは「設定 → ドキュメント」の上限を超えています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This document could not be read.</source>
        <translation>このドキュメントを読み込めませんでした。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model is available. Choose or download one in Settings → Models.</source>
        <translation>使用できるモデルがありません。設定 → モデル管理 で選択またはダウンロードしてください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model could not be loaded or run.</source>
        <translation>モデルを読み込めないか、実行できませんでした。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../app/ui/first_run.py" line="+155"/>
        <location line="+1"/>
        <source>Welcome to Matome</source>
        <translation>Matome へようこそ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Matome summarizes your documents and answers questions about them with a language model that runs on this computer. Your documents, summaries and questions never leave it.

A small starter model is already installed. For better summaries, download a larger model once; after that, Matome works offline.</source>
        <translation>Matome は、このコンピューター上で動作する言語モデルを使って、ドキュメントを要約し、その内容についての質問に答えます。ドキュメント、要約、質問が外部に送信されることはありません。

小さなスターターモデルはすでにインストールされています。より質の高い要約が必要な場合は、大きめのモデルを一度ダウンロードしてください。ダウンロード後、Matome はオフラインで動作します。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>My documents are mostly in:</source>
        <translation>主に扱うドキュメントの言語:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import a model file…</source>
        <translation>モデルファイルをインポート(&amp;I)…</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Recommended for this computer ({memory} of memory): &lt;b&gt;{name}&lt;/b&gt;, a {size} download.&lt;br&gt;{about}</source>
        <translation>このコンピューター（メモリ {memory}）へのおすすめ: &lt;b&gt;{name}&lt;/b&gt;（ダウンロードサイズ {size}）&lt;br&gt;{about}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Resume download</source>
        <translation>ダウンロードを再開(&amp;R)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Download</source>
        <translation>ダウンロード(&amp;D)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Downloading {name}</source>
        <translation>{name} をダウンロード中</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Import a model file</source>
        <translation>モデルファイルのインポート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF モデル (*.gguf);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Importing {file}</source>
        <translation>{file} をインポート中</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>{name} is installed. Matome is loading it now.</source>
        <translation>{name} をインストールしました。現在、Matome が読み込んでいます。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>&amp;Start using Matome</source>
        <translation>Matome を使い始める(&amp;S)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Continue in the background</source>
        <translation>バックグラウンドで続行(&amp;C)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Skip — use the starter model</source>
        <translation>スキップしてスターターモデルを使う(&amp;S)</translation>
    </message>
</context>
<context>
    <name>ForgetDialog</name>
    <message>
        <location filename="../../app/ui/forget_dialog.py" line="+18"/>
        <source>Forget this document</source>
        <translation>この文書を忘れる</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget “{title}”?</source>
        <translation>「{title}」を忘れますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matome deletes its copy of the text, its summaries, questions and answers, and the notes saved while summarizing it, and closes it. The file itself is not touched. This cannot be undone.</source>
        <translation>Matome が保存している本文の写し、要約、質問と回答、要約中に保存したメモを削除し、文書を閉じます。ファイル自体には手を加えません。この操作は元に戻せません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Forget</source>
        <translation>忘れる</translation>
    </message>
</context>
<context>
    <name>GeneralPage</name>
    <message>
        <location filename="../../app/ui/settings_pages/general_page.py" line="+65"/>
        <source>General</source>
        <translation>全般</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Interface &amp;language:</source>
        <translation>表示言語(&amp;L):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow the system</source>
        <translation>システムの設定に従う</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Matome switches to the new language when you press OK.</source>
        <translation>OK を押すと、新しい言語に切り替わります。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Library folder:</source>
        <translation>履歴の保存先(&amp;F):</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Browse…</source>
        <translation>参照(&amp;B)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Summaries and answers are kept in this folder on this computer. Leave it empty for the default. History already in the old folder stays there.</source>
        <translation>要約と回答は、このコンピューター上のこのフォルダーに保存されます。空欄にすると既定の場所を使用します。以前のフォルダーにある履歴は、そのまま残ります。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Delete all history…</source>
        <translation>すべての履歴を削除(&amp;D)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forgets every document, summary and answer. Your files are not touched.</source>
        <translation>すべてのドキュメント、要約、回答の記録を削除します。お使いのファイル自体は変更されません。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The library folder must be a full path, such as {example}.</source>
        <translation>履歴の保存先は、{example} のような完全なパスで指定してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The library folder {path} is a file, not a folder.</source>
        <translation>履歴の保存先に指定した {path} は、フォルダーではなくファイルです。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The library folder {path} cannot be created.</source>
        <translation>履歴の保存先フォルダー {path} を作成できません。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose the library folder</source>
        <translation>履歴の保存先フォルダーの選択</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Delete all history?</source>
        <translation>すべての履歴を削除しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matome will forget every document it has read, with their summaries and answers. This cannot be undone. Your own files are not touched.</source>
        <translation>Matome が読み込んだすべてのドキュメントの記録を、要約や回答とともに削除します。この操作は元に戻せません。お使いのファイル自体は変更されません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All history is being deleted.</source>
        <translation>すべての履歴を削除しています。</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../../app/ui/history_panel.py" line="+81"/>
        <source>Nothing found.</source>
        <translation>見つかりませんでした。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents you open are kept here, with their summaries and answers.</source>
        <translation>開いたドキュメントは、要約や回答とともにここに保存されます。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Open</source>
        <translation>開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget this document…</source>
        <translation>この文書を忘れる…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete everything Matome keeps of it; the file itself stays</source>
        <translation>Matome が保存しているこの文書の情報をすべて削除します。ファイル自体は残ります</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Search past documents by title or content…</source>
        <translation>過去のドキュメントをタイトルや内容で検索…</translation>
    </message>
</context>
<context>
    <name>InferencePage</name>
    <message>
        <location filename="../../app/ui/settings_pages/inference_page.py" line="+68"/>
        <source>Inference</source>
        <translation>推論</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Context size:</source>
        <translation>コンテキスト長(&amp;C):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Largest automatic context:</source>
        <translation>自動時の最大コンテキスト長(&amp;L):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Threads:</source>
        <translation>スレッド数(&amp;T):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Batch size:</source>
        <translation>バッチサイズ(&amp;B):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;GPU layers:</source>
        <translation>GPU レイヤー数(&amp;G):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>T&amp;emperature:</source>
        <translation>温度(&amp;E):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top &amp;p:</source>
        <translation>Top-p 値(&amp;P):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Repetition penalty:</source>
        <translation>繰り返しペナルティ(&amp;R):</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic (the model&apos;s own)</source>
        <translation>自動（モデル本来の値）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source> tokens</source>
        <translation> トークン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Automatic (one per core)</source>
        <translation>自動（コアごとに 1 つ）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How much text the model sees at once. Larger contexts need more memory.</source>
        <translation>モデルが一度に扱えるテキストの量です。大きくするほど多くのメモリが必要になります。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With an automatic context size, Matome uses the model&apos;s own context but never more than this.</source>
        <translation>コンテキスト長が「自動」の場合、Matome はモデル本来のコンテキスト長を使用しますが、この値を超えることはありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>0 runs everything on the processor; higher numbers move that many layers to a graphics card.</source>
        <translation>0 にするとすべて CPU で処理します。値を大きくすると、その数のレイヤーを GPU（グラフィックスカード）で処理します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Lower values give more literal, repeatable summaries; higher values more varied wording.</source>
        <translation>値を小さくすると原文に忠実で再現性の高い要約に、大きくすると表現に変化のある要約になります。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This computer has {cores} processor threads. Changes take effect when the model is loaded again, which happens as soon as you press OK.</source>
        <translation>このコンピューターのプロセッサ スレッド数は {cores} です。変更はモデルの再読み込み時に反映されます。再読み込みは OK を押すとすぐに行われます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reset to &amp;defaults</source>
        <translation>既定値に戻す(&amp;D)</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Context size must be automatic or between {low} and {high} tokens.</source>
        <translation>コンテキスト長は「自動」にするか、{low}～{high} トークンの範囲で指定してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Batch size must be between 8 and 8192.</source>
        <translation>バッチサイズは 8～8192 の範囲で指定してください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Temperature must be between 0 and 2.</source>
        <translation>温度は 0～2 の範囲で指定してください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Repetition penalty must be between 1.0 and 2.0.</source>
        <translation>繰り返しペナルティは 1.0～2.0 の範囲で指定してください。</translation>
    </message>
</context>
<context>
    <name>InstalledTable</name>
    <message>
        <location filename="../../app/ui/settings_pages/installed_table.py" line="+32"/>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Location</source>
        <translation>場所</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="+158"/>
        <source>Matome — private document summaries</source>
        <extracomment>If the window is never painted (hidden, minimized at start), the model thread starts anyway.</extracomment>
        <translation>Matome — プライベートなドキュメント要約</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents</source>
        <translation>ドキュメント</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Open documents</source>
        <translation>ドキュメントを開く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents ({patterns});;All files (*)</source>
        <translation>ドキュメント ({patterns});;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>The document is still being read.</source>
        <translation>ドキュメントはまだ読み込み中です。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>About Matome</source>
        <translation>Matome について</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;Matome {version}&lt;/h3&gt;&lt;p&gt;Summaries of and answers about your documents, written by a language model that runs on this computer. Nothing is sent anywhere.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Matome {version}&lt;/h3&gt;&lt;p&gt;このコンピューター上で動作する言語モデルが、ドキュメントの要約と、内容についての質問への回答を作成します。データが外部に送信されることは一切ありません。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>MatomeStatusBar</name>
    <message>
        <location filename="../../app/ui/status_bar.py" line="+62"/>
        <source>Model: {name} · {context} tokens context</source>
        <translation>モデル: {name} · コンテキスト長 {context} トークン</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loading the model…</source>
        <translation>モデルを読み込んでいます…</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+3"/>
        <source>No model loaded</source>
        <translation>モデルが読み込まれていません</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{speed:.0f} tokens/s</source>
        <translation>{speed:.0f} トークン/秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last run: read {prompt:.0f} tokens/s, wrote {write:.0f} tokens/s</source>
        <translation>前回の実行: 読み込み {prompt:.0f} トークン/秒、生成 {write:.0f} トークン/秒</translation>
    </message>
</context>
<context>
    <name>ModelPage</name>
    <message>
        <location filename="../../app/ui/settings_pages/model_page.py" line="+61"/>
        <source>Model</source>
        <extracomment>The choice as a path (&quot;&quot; = automatic); kept apart from the list, which may be rebuilt (or not be there yet) when the dialog saves.</extracomment>
        <translation>モデル</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model that writes summaries and answers questions:</source>
        <translation>要約の作成と質問への回答に使うモデル:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Matome loads the chosen model when you press OK; the status bar shows when it is ready. Download or import more models on the Models page.</source>
        <translation>OK を押すと、選択したモデルを読み込みます。準備ができるとステータスバーに表示されます。ほかのモデルのダウンロードやインポートは「モデル管理」ページで行えます。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Automatic: the best installed model</source>
        <translation>自動: インストール済みの最適なモデル</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A downloaded or imported model if there is one, else the starter model.</source>
        <translation>ダウンロードまたはインポートしたモデルがあればそれを、なければスターターモデルを使用します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Looking for installed models…</source>
        <translation>インストール済みのモデルを探しています…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} · {size} · {kind}</source>
        <translation>{name} · {size} · {kind}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} · {kind}</source>
        <translation>{name} · {kind}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The model chosen before ({path}) is not installed any more; Matome will use the best installed model.</source>
        <translation>以前に選択したモデル（{path}）はインストールされていません。インストール済みの最適なモデルを使用します。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>downloaded</source>
        <translation>ダウンロード済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>imported</source>
        <translation>インポート済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>starter model</source>
        <translation>スターターモデル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>found in the models folder</source>
        <translation>モデルフォルダーで検出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a file chosen by path</source>
        <translation>パスで指定したファイル</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> (linked)</source>
        <translation> (リンク)</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <location filename="../../app/ui/settings_pages/models_page.py" line="+113"/>
        <source>Models</source>
        <translation>モデル管理</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This computer: {total} of memory ({free} free now), {cores} processor cores. Everything runs on this computer; a model is downloaded once and then used offline.</source>
        <translation>このコンピューター: メモリ {total}（現在の空き {free}）、CPU コア {cores} 個。すべての処理はこのコンピューター上で行われます。モデルは一度ダウンロードすれば、以降はオフラインで使用できます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Available models (★ recommended for this computer)</source>
        <translation>利用可能なモデル（★ はこのコンピューターにおすすめ）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Installed models</source>
        <translation>インストール済みのモデル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Verify</source>
        <translation>検証(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check that the model file is whole and unchanged</source>
        <translation>モデルファイルが破損や改変なく完全であることを確認します</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>De&amp;lete…</source>
        <translation>削除(&amp;L)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import a .gguf file…</source>
        <translation>.gguf ファイルをインポート(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy it</source>
        <translation>コピーする</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the file into Matome&apos;s models folder (safe to unplug the USB stick)</source>
        <translation>ファイルを Matome のモデルフォルダーにコピーします（USB メモリを取り外しても使えます）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link to it</source>
        <translation>リンクする</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use the file where it is (no copy; it must stay there)</source>
        <translation>ファイルを現在の場所のまま使用します（コピーしないため、ファイルを移動しないでください）</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Delete model?</source>
        <translation>モデルを削除しますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete {name} ({size})? You can download or import it again later.</source>
        <translation>{name}（{size}）を削除しますか？ 後でもう一度ダウンロードまたはインポートできます。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Import a model file</source>
        <translation>モデルファイルのインポート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF モデル (*.gguf);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>{name} is downloaded, verified and installed.</source>
        <translation>{name} をダウンロードし、検証してインストールしました。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} is imported.</source>
        <translation>{name} をインポートしました。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} is intact: its SHA-256 matches.</source>
        <translation>{name} は正常です。SHA-256 が一致しました。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} is a whole GGUF file (there is no recorded checksum to compare).</source>
        <translation>{name} は完全な GGUF ファイルです（比較できるチェックサムの記録はありません）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} is deleted.</source>
        <translation>{name} を削除しました。</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Downloading {name}</source>
        <translation>{name} をダウンロード中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Importing {file}</source>
        <translation>{file} をインポート中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking {model}</source>
        <translation>{model} を検証中</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Installed</source>
        <translation>インストール済み</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+21"/>
        <source>Downloading…</source>
        <translation>ダウンロード中…</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Paused at {percent}%</source>
        <translation>{percent}% で一時停止中</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Select a model to see what it is good at.</source>
        <translation>モデルを選択すると、その特長が表示されます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+11"/>
        <source>&amp;Download</source>
        <translation>ダウンロード(&amp;D)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Resume download</source>
        <translation>ダウンロードを再開(&amp;R)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The starter model comes with Matome and cannot be deleted.</source>
        <translation>スターターモデルは Matome に付属しているため、削除できません。</translation>
    </message>
</context>
<context>
    <name>PageViewer</name>
    <message>
        <location filename="../../app/ui/page_viewer.py" line="+26"/>
        <source>{location} — {title}</source>
        <translation>{location} — {title}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;b&gt;{location}&lt;/b&gt; of “{title}”</source>
        <translation>「{title}」の &lt;b&gt;{location}&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This place could not be found in the document.</source>
        <translation>この箇所はドキュメント内に見つかりませんでした。</translation>
    </message>
</context>
<context>
    <name>PasswordPrompt</name>
    <message>
        <location filename="../../app/ui/password_prompt.py" line="+35"/>
        <source>Password needed</source>
        <translation>パスワードが必要です</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>That password did not open “{name}”. Try again:</source>
        <translation>そのパスワードでは「{name}」を開けませんでした。もう一度入力してください:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” is protected by a password. Enter it to read the document:</source>
        <translation>「{name}」はパスワードで保護されています。読み込むにはパスワードを入力してください:</translation>
    </message>
</context>
<context>
    <name>QAPanel</name>
    <message>
        <location filename="../../app/ui/qa_panel.py" line="+65"/>
        <source>Questions</source>
        <translation>質問</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Questions about “{title}”</source>
        <translation>「{title}」についての質問</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Questions can be asked once the document is read</source>
        <translation>ドキュメントの読み込みが終わると質問できます</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ask a question about this document…</source>
        <translation>このドキュメントについて質問…</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>*Ask anything about this document. Answers come from the document only, with the pages they rest on.*</source>
        <translation>*このドキュメントについて何でも質問してください。回答はドキュメントの内容だけに基づき、根拠となるページも示します。*</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Q:</source>
        <translation>質問:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A:</source>
        <translation>回答:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sources:</source>
        <translation>出典:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>*(stopped)*</source>
        <translation>*（中断）*</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No passage of the document matches this answer; check it against the document before relying on it.</source>
        <translation>この回答に一致する箇所がドキュメント内に見つかりません。利用する前に、ドキュメントと照らし合わせて確認してください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Ask</source>
        <translation>質問する</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop this answer</source>
        <translation>この回答の作成を停止します</translation>
    </message>
</context>
<context>
    <name>QuestionController</name>
    <message>
        <location filename="../../app/ui/question_controller.py" line="+54"/>
        <source>“{name}” has not been read yet; ask again when it has.</source>
        <translation>「{name}」はまだ読み込まれていません。読み込みが終わってから、もう一度質問してください。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="+96"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Some settings need attention; nothing was saved.</source>
        <translation>確認が必要な設定があります。変更は保存されていません。</translation>
    </message>
</context>
<context>
    <name>SummaryExporter</name>
    <message>
        <location filename="../../app/ui/summary_export.py" line="+42"/>
        <source>There is no summary to copy yet.</source>
        <translation>コピーできる要約はまだありません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Summary copied.</source>
        <translation>要約をコピーしました。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>There is no summary to export yet.</source>
        <translation>書き出せる要約はまだありません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown ファイル (*.md)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Plain text (*.txt)</source>
        <translation>テキストファイル (*.txt)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Word document (*.docx)</source>
        <translation>Word 文書 (*.docx)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} – summary</source>
        <translation>{name} – 要約</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export summary</source>
        <translation>要約の書き出し</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Export cancelled: “{name}” was kept.</source>
        <translation>書き出しを取り消しました。「{name}」はそのままです。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Summary</source>
        <translation>要約</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Questions and answers</source>
        <translation>質疑応答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source</source>
        <translation>元のファイル</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>日付</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Q</source>
        <translation>質問</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A</source>
        <translation>回答</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sources</source>
        <translation>出典</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Replace file?</source>
        <translation>ファイルを置き換えますか？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” already exists in {folder}. Replace it?</source>
        <translation>「{name}」は {folder} に既にあります。置き換えますか？</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Exported to {path}</source>
        <translation>{path} に書き出しました</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export failed</source>
        <translation>書き出しに失敗しました</translation>
    </message>
</context>
<context>
    <name>SummaryOptionsBar</name>
    <message>
        <location filename="../../app/ui/summary_options.py" line="+69"/>
        <source>&amp;Length:</source>
        <translation>長さ(&amp;L):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Format:</source>
        <translation>形式(&amp;F):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lan&amp;guage:</source>
        <translation>言語(&amp;G):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Focus (optional), e.g. deadlines and amounts</source>
        <translation>重点（任意）例: 期限、金額</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Regenerate</source>
        <translation>再生成(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summarize the selected document again with these options</source>
        <translation>選択したドキュメントを、このオプションでもう一度要約します</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Short</source>
        <translation>短め</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>標準</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Long</source>
        <translation>長め</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bullet points</source>
        <translation>箇条書き</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Paragraph</source>
        <translation>文章</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Key points</source>
        <translation>要点</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Same as the document</source>
        <translation>ドキュメントと同じ</translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <location filename="../../app/ui/settings_pages/summary_page.py" line="+40"/>
        <source>Summary defaults</source>
        <translation>要約の既定値</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Length:</source>
        <translation>長さ(&amp;L):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Format:</source>
        <translation>形式(&amp;F):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Output &amp;language:</source>
        <translation>出力言語(&amp;L):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F&amp;ocus:</source>
        <translation>重点(&amp;O):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Part size:</source>
        <translation>分割サイズ(&amp;P):</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Optional, e.g. deadlines and amounts</source>
        <translation>任意。例: 期限、金額</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> tokens</source>
        <translation> トークン</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Long documents are summarized in parts of at most this size. Small models keep the thread better with smaller parts.</source>
        <translation>長いドキュメントは、最大でこのサイズの部分に分けて要約します。小さなモデルでは、部分を小さくしたほうが話の流れを保ちやすくなります。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New documents are summarized with these options; the bar above the summary changes them for one document.</source>
        <translation>新しいドキュメントはこのオプションで要約されます。要約の上にあるバーでは、ドキュメントごとに変更できます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Short</source>
        <translation>短め</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>標準</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Long</source>
        <translation>長め</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bullet points</source>
        <translation>箇条書き</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Paragraph</source>
        <translation>文章</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key points</source>
        <translation>要点</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Same as the document</source>
        <translation>ドキュメントと同じ</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Part size must be between {low} and {high} tokens.</source>
        <translation>分割サイズは {low}～{high} トークンの範囲で指定してください。</translation>
    </message>
</context>
<context>
    <name>SummaryView</name>
    <message>
        <location filename="../../app/ui/summary_view.py" line="+81"/>
        <source>No document selected</source>
        <translation>ドキュメントが選択されていません</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Drop PDF, Word, text or Markdown files (or a folder) anywhere on this window, or choose **Open…** (Ctrl+O).

Everything stays on this computer: the summary is written by a model that runs here, offline.</source>
        <translation>PDF、Word、テキスト、Markdown のファイル（またはフォルダー）をこのウィンドウにドロップするか、**開く…** (Ctrl+O) を選んでください。

すべての処理はこのコンピューター内で完結します。要約は、このコンピューター上でオフラインで動作するモデルが作成します。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Reading the document…</source>
        <translation>ドキュメントを読み込んでいます…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for the model…</source>
        <translation>モデルを待っています…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>summary from the history, {date}</source>
        <translation>履歴の要約（{date}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cancelled — choose Regenerate to summarize again</source>
        <translation>キャンセルしました — もう一度要約するには「再生成」を選んでください</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop summarizing this document</source>
        <translation>このドキュメントの要約を中止します</translation>
    </message>
</context>
<context>
    <name>TaskRunner</name>
    <message>
        <location filename="../../app/ui/tasks.py" line="-20"/>
        <source>Something went wrong inside Matome ({name}). Please try again; if it keeps happening, report it with the log file.</source>
        <translation>Matome の内部で問題が発生しました（{name}）。もう一度お試しください。問題が続く場合は、ログファイルを添えてご報告ください。</translation>
    </message>
</context>
<context>
    <name>TransferWidget</name>
    <message>
        <location filename="../../app/ui/settings_pages/transfer_widget.py" line="+37"/>
        <source>{done} of {total}</source>
        <extracomment>The bar counts in thousandths: bytes overflow a QProgressBar&apos;s int for files over 2 GB.</extracomment>
        <translation>{total} 中 {done}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Connecting…</source>
        <translation>接続しています…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The connection failed; trying again (attempt {attempt}) · {amounts}</source>
        <translation>接続に失敗しました。再試行しています（{attempt} 回目） · {amounts}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checking the file · {amounts}</source>
        <translation>ファイルを検証しています · {amounts}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Installed.</source>
        <translation>インストールしました。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{rate}/s</source>
        <translation>{rate}/秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about {time} left</source>
        <translation>残り約 {time}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Copying · {details}</source>
        <translation>コピーしています · {details}</translation>
    </message>
    <message>
        <location line="+51"/>
        <location line="+42"/>
        <source>Starting…</source>
        <translation>開始しています…</translation>
    </message>
    <message>
        <location line="-36"/>
        <source>Pause</source>
        <translation>一時停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Try again</source>
        <translation>再試行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Paused at {done} of {total}</source>
        <translation>{total} 中 {done} で一時停止中</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Paused. Resume continues where it stopped.</source>
        <translation>一時停止しました。「再開」を押すと、中断した所から続行します。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Pausing…</source>
        <translation>一時停止しています…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Resuming…</source>
        <translation>再開しています…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelling…</source>
        <translation>キャンセルしています…</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <location filename="../../app/ui/window_actions.py" line="+69"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Edit</source>
        <translation>編集(&amp;E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Toolbar</source>
        <translation>ツールバー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open…</source>
        <translation>開く(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open PDF, Word, text or Markdown files (Ctrl+O)</source>
        <translation>PDF、Word、テキスト、Markdown ファイルを開きます (Ctrl+O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export…</source>
        <translation>書き出し(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the summary and answers as Markdown, text or Word (Ctrl+E)</source>
        <translation>要約と回答を Markdown、テキスト、Word 形式で保存します (Ctrl+E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Copy summary</source>
        <translation>要約をコピー(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the summary to the clipboard (Ctrl+Shift+C)</source>
        <translation>要約をクリップボードにコピーします (Ctrl+Shift+C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings…</source>
        <translation>設定(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Models, inference, summary defaults, language and history (Ctrl+,)</source>
        <translation>モデル、推論、要約の既定値、言語、履歴の設定 (Ctrl+,)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About Matome</source>
        <translation>Matome について(&amp;A)</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message>
        <location filename="../../app/ui/wording.py" line="+21"/>
        <source>1 second</source>
        <translation>1秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} seconds</source>
        <translation>{count}秒</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>1 minute</source>
        <translation>1分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} minutes</source>
        <translation>{count}分</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1 hour</source>
        <translation>1時間</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} hours</source>
        <translation>{count}時間</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Loading the model…</source>
        <translation>モデルを読み込んでいます…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reading the document…</source>
        <translation>ドキュメントを読み込んでいます…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summarizing part {step} of {total}</source>
        <translation>パート {step}/{total} を要約しています</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Merging notes (step {step} of {total})</source>
        <translation>メモを統合しています（ステップ {step}/{total}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Writing the summary…</source>
        <translation>要約を作成しています…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking that no key point was lost…</source>
        <translation>要点の漏れがないか確認しています…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answering…</source>
        <translation>回答を作成しています…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>about {time} left</source>
        <translation>残り約 {time}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>summarizing {step} of {total}</source>
        <translation>要約中 {step}/{total}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>queued</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>reading</source>
        <translation>読み込み中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>summarizing</source>
        <translation>要約中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>done</source>
        <translation>完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>キャンセル済み</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>error: {message}</source>
        <translation>エラー: {message}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>1 page</source>
        <translation>1ページ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} pages</source>
        <translation>{count}ページ</translation>
    </message>
</context>
</TS>
