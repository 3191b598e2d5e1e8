namespace Abi.Sdk.Rpm;

/// <summary>
/// Tags of the main header (rpm's <c>RPMTAG_*</c>), named as rpm names them. Any other number is still readable
/// through <see cref="RpmHeader"/>; this list names the ones Abi.Sdk interprets or a distro engineer looks for.
/// </summary>
public enum RpmTag
{
    /// <summary>RPMTAG_HEADERIMAGE.</summary>
    HeaderImage = 61,

    /// <summary>RPMTAG_HEADERSIGNATURES: the region tag of the signature header.</summary>
    HeaderSignatures = 62,

    /// <summary>RPMTAG_HEADERIMMUTABLE: the region tag of the main header.</summary>
    HeaderImmutable = 63,

    /// <summary>RPMTAG_HEADERREGIONS.</summary>
    HeaderRegions = 64,

    /// <summary>RPMTAG_HEADERI18NTABLE: the locales of I18NSTRING values.</summary>
    HeaderI18NTable = 100,

    /// <summary>RPMTAG_SIGSIZE (in the main header's tag space).</summary>
    SigSize = 257,

    /// <summary>RPMTAG_SIGPGP.</summary>
    SigPgp = 259,

    /// <summary>RPMTAG_SIGMD5.</summary>
    SigMd5 = 261,

    /// <summary>RPMTAG_DSAHEADER.</summary>
    DsaHeader = 267,

    /// <summary>RPMTAG_RSAHEADER.</summary>
    RsaHeader = 268,

    /// <summary>RPMTAG_SHA1HEADER.</summary>
    Sha1Header = 269,

    /// <summary>RPMTAG_LONGSIGSIZE.</summary>
    LongSigSize = 270,

    /// <summary>RPMTAG_LONGARCHIVESIZE.</summary>
    LongArchiveSize = 271,

    /// <summary>RPMTAG_SHA256HEADER.</summary>
    Sha256Header = 273,

    /// <summary>RPMTAG_NAME.</summary>
    Name = 1000,

    /// <summary>RPMTAG_VERSION.</summary>
    Version = 1001,

    /// <summary>RPMTAG_RELEASE.</summary>
    Release = 1002,

    /// <summary>RPMTAG_EPOCH.</summary>
    Epoch = 1003,

    /// <summary>RPMTAG_SUMMARY (I18NSTRING).</summary>
    Summary = 1004,

    /// <summary>RPMTAG_DESCRIPTION (I18NSTRING).</summary>
    Description = 1005,

    /// <summary>RPMTAG_BUILDTIME.</summary>
    BuildTime = 1006,

    /// <summary>RPMTAG_BUILDHOST.</summary>
    BuildHost = 1007,

    /// <summary>RPMTAG_INSTALLTIME.</summary>
    InstallTime = 1008,

    /// <summary>RPMTAG_SIZE.</summary>
    Size = 1009,

    /// <summary>RPMTAG_DISTRIBUTION.</summary>
    Distribution = 1010,

    /// <summary>RPMTAG_VENDOR.</summary>
    Vendor = 1011,

    /// <summary>RPMTAG_LICENSE.</summary>
    License = 1014,

    /// <summary>RPMTAG_PACKAGER.</summary>
    Packager = 1015,

    /// <summary>RPMTAG_GROUP (I18NSTRING).</summary>
    Group = 1016,

    /// <summary>RPMTAG_CHANGELOG.</summary>
    Changelog = 1017,

    /// <summary>RPMTAG_SOURCE.</summary>
    Source = 1018,

    /// <summary>RPMTAG_PATCH.</summary>
    Patch = 1019,

    /// <summary>RPMTAG_URL.</summary>
    Url = 1020,

    /// <summary>RPMTAG_OS.</summary>
    Os = 1021,

    /// <summary>RPMTAG_ARCH.</summary>
    Arch = 1022,

    /// <summary>RPMTAG_PREIN.</summary>
    PreIn = 1023,

    /// <summary>RPMTAG_POSTIN.</summary>
    PostIn = 1024,

    /// <summary>RPMTAG_PREUN.</summary>
    PreUn = 1025,

    /// <summary>RPMTAG_POSTUN.</summary>
    PostUn = 1026,

    /// <summary>RPMTAG_OLDFILENAMES: full paths, in packages without compressed file lists.</summary>
    OldFileNames = 1027,

    /// <summary>RPMTAG_FILESIZES (INT32).</summary>
    FileSizes = 1028,

    /// <summary>RPMTAG_FILESTATES.</summary>
    FileStates = 1029,

    /// <summary>RPMTAG_FILEMODES (INT16).</summary>
    FileModes = 1030,

    /// <summary>RPMTAG_FILERDEVS.</summary>
    FileRdevs = 1033,

    /// <summary>RPMTAG_FILEMTIMES.</summary>
    FileMtimes = 1034,

    /// <summary>RPMTAG_FILEDIGESTS (formerly FILEMD5S).</summary>
    FileDigests = 1035,

    /// <summary>RPMTAG_FILELINKTOS.</summary>
    FileLinkTos = 1036,

    /// <summary>RPMTAG_FILEFLAGS.</summary>
    FileFlags = 1037,

    /// <summary>RPMTAG_FILEUSERNAME.</summary>
    FileUserName = 1039,

    /// <summary>RPMTAG_FILEGROUPNAME.</summary>
    FileGroupName = 1040,

    /// <summary>RPMTAG_SOURCERPM.</summary>
    SourceRpm = 1044,

    /// <summary>RPMTAG_FILEVERIFYFLAGS.</summary>
    FileVerifyFlags = 1045,

    /// <summary>RPMTAG_ARCHIVESIZE.</summary>
    ArchiveSize = 1046,

    /// <summary>RPMTAG_PROVIDENAME.</summary>
    ProvideName = 1047,

    /// <summary>RPMTAG_REQUIREFLAGS.</summary>
    RequireFlags = 1048,

    /// <summary>RPMTAG_REQUIRENAME.</summary>
    RequireName = 1049,

    /// <summary>RPMTAG_REQUIREVERSION.</summary>
    RequireVersion = 1050,

    /// <summary>RPMTAG_CONFLICTFLAGS.</summary>
    ConflictFlags = 1053,

    /// <summary>RPMTAG_CONFLICTNAME.</summary>
    ConflictName = 1054,

    /// <summary>RPMTAG_CONFLICTVERSION.</summary>
    ConflictVersion = 1055,

    /// <summary>RPMTAG_BUILDROOT.</summary>
    BuildRoot = 1057,

    /// <summary>RPMTAG_EXCLUDEARCH.</summary>
    ExcludeArch = 1059,

    /// <summary>RPMTAG_EXCLUDEOS.</summary>
    ExcludeOs = 1060,

    /// <summary>RPMTAG_EXCLUSIVEARCH.</summary>
    ExclusiveArch = 1061,

    /// <summary>RPMTAG_EXCLUSIVEOS.</summary>
    ExclusiveOs = 1062,

    /// <summary>RPMTAG_RPMVERSION: the rpm that built the package.</summary>
    RpmVersion = 1064,

    /// <summary>RPMTAG_TRIGGERSCRIPTS.</summary>
    TriggerScripts = 1065,

    /// <summary>RPMTAG_TRIGGERNAME.</summary>
    TriggerName = 1066,

    /// <summary>RPMTAG_TRIGGERVERSION.</summary>
    TriggerVersion = 1067,

    /// <summary>RPMTAG_TRIGGERFLAGS.</summary>
    TriggerFlags = 1068,

    /// <summary>RPMTAG_TRIGGERINDEX.</summary>
    TriggerIndex = 1069,

    /// <summary>RPMTAG_VERIFYSCRIPT.</summary>
    VerifyScript = 1079,

    /// <summary>RPMTAG_CHANGELOGTIME.</summary>
    ChangelogTime = 1080,

    /// <summary>RPMTAG_CHANGELOGNAME.</summary>
    ChangelogName = 1081,

    /// <summary>RPMTAG_CHANGELOGTEXT.</summary>
    ChangelogText = 1082,

    /// <summary>RPMTAG_PREINPROG.</summary>
    PreInProg = 1085,

    /// <summary>RPMTAG_POSTINPROG.</summary>
    PostInProg = 1086,

    /// <summary>RPMTAG_PREUNPROG.</summary>
    PreUnProg = 1087,

    /// <summary>RPMTAG_POSTUNPROG.</summary>
    PostUnProg = 1088,

    /// <summary>RPMTAG_BUILDARCHS.</summary>
    BuildArchs = 1089,

    /// <summary>RPMTAG_OBSOLETENAME.</summary>
    ObsoleteName = 1090,

    /// <summary>RPMTAG_VERIFYSCRIPTPROG.</summary>
    VerifyScriptProg = 1091,

    /// <summary>RPMTAG_TRIGGERSCRIPTPROG.</summary>
    TriggerScriptProg = 1092,

    /// <summary>RPMTAG_COOKIE.</summary>
    Cookie = 1094,

    /// <summary>RPMTAG_FILEDEVICES.</summary>
    FileDevices = 1095,

    /// <summary>RPMTAG_FILEINODES.</summary>
    FileInodes = 1096,

    /// <summary>RPMTAG_FILELANGS.</summary>
    FileLangs = 1097,

    /// <summary>RPMTAG_PREFIXES.</summary>
    Prefixes = 1098,

    /// <summary>RPMTAG_INSTPREFIXES.</summary>
    InstPrefixes = 1099,

    /// <summary>RPMTAG_SOURCEPACKAGE: set (to 1) in source packages.</summary>
    SourcePackage = 1106,

    /// <summary>RPMTAG_PROVIDEFLAGS.</summary>
    ProvideFlags = 1112,

    /// <summary>RPMTAG_PROVIDEVERSION.</summary>
    ProvideVersion = 1113,

    /// <summary>RPMTAG_OBSOLETEFLAGS.</summary>
    ObsoleteFlags = 1114,

    /// <summary>RPMTAG_OBSOLETEVERSION.</summary>
    ObsoleteVersion = 1115,

    /// <summary>RPMTAG_DIRINDEXES.</summary>
    DirIndexes = 1116,

    /// <summary>RPMTAG_BASENAMES.</summary>
    BaseNames = 1117,

    /// <summary>RPMTAG_DIRNAMES.</summary>
    DirNames = 1118,

    /// <summary>RPMTAG_OPTFLAGS.</summary>
    OptFlags = 1122,

    /// <summary>RPMTAG_DISTURL.</summary>
    DistUrl = 1123,

    /// <summary>RPMTAG_PAYLOADFORMAT: <c>cpio</c>.</summary>
    PayloadFormat = 1124,

    /// <summary>RPMTAG_PAYLOADCOMPRESSOR: <c>gzip</c>, <c>bzip2</c>, <c>xz</c>, <c>lzma</c>, <c>zstd</c>; absent means gzip.</summary>
    PayloadCompressor = 1125,

    /// <summary>RPMTAG_PAYLOADFLAGS: the compression level.</summary>
    PayloadFlags = 1126,

    /// <summary>RPMTAG_PLATFORM.</summary>
    Platform = 1132,

    /// <summary>RPMTAG_FILECOLORS.</summary>
    FileColors = 1140,

    /// <summary>RPMTAG_FILECLASS: indexes into <see cref="ClassDict"/>.</summary>
    FileClass = 1141,

    /// <summary>RPMTAG_CLASSDICT: file classes (as printed by <c>file</c>).</summary>
    ClassDict = 1142,

    /// <summary>RPMTAG_FILEDEPENDSX: first index into <see cref="DependsDict"/> per file.</summary>
    FileDependsX = 1143,

    /// <summary>RPMTAG_FILEDEPENDSN: number of <see cref="DependsDict"/> entries per file.</summary>
    FileDependsN = 1144,

    /// <summary>RPMTAG_DEPENDSDICT: per-file dependencies, (kind letter &lt;&lt; 24) | index into the provides/requires.</summary>
    DependsDict = 1145,

    /// <summary>RPMTAG_SOURCEPKGID.</summary>
    SourcePkgId = 1146,

    /// <summary>RPMTAG_OLDSUGGESTSNAME (legacy weak dependencies).</summary>
    OldSuggestsName = 1156,

    /// <summary>RPMTAG_OLDSUGGESTSVERSION.</summary>
    OldSuggestsVersion = 1157,

    /// <summary>RPMTAG_OLDSUGGESTSFLAGS.</summary>
    OldSuggestsFlags = 1158,

    /// <summary>RPMTAG_OLDENHANCESNAME (legacy weak dependencies).</summary>
    OldEnhancesName = 1159,

    /// <summary>RPMTAG_OLDENHANCESVERSION.</summary>
    OldEnhancesVersion = 1160,

    /// <summary>RPMTAG_OLDENHANCESFLAGS.</summary>
    OldEnhancesFlags = 1161,

    /// <summary>RPMTAG_FILEDIGESTALGO: the PGP hash algorithm of <see cref="FileDigests"/> (absent means MD5).</summary>
    FileDigestAlgo = 5011,

    /// <summary>RPMTAG_ORDERNAME (OrderWithRequires).</summary>
    OrderName = 5035,

    /// <summary>RPMTAG_ORDERVERSION.</summary>
    OrderVersion = 5036,

    /// <summary>RPMTAG_ORDERFLAGS.</summary>
    OrderFlags = 5037,

    /// <summary>RPMTAG_LONGFILESIZES (INT64).</summary>
    LongFileSizes = 5008,

    /// <summary>RPMTAG_LONGSIZE.</summary>
    LongSize = 5009,

    /// <summary>RPMTAG_FILECAPS.</summary>
    FileCaps = 5010,

    /// <summary>RPMTAG_RECOMMENDNAME.</summary>
    RecommendName = 5046,

    /// <summary>RPMTAG_RECOMMENDVERSION.</summary>
    RecommendVersion = 5047,

    /// <summary>RPMTAG_RECOMMENDFLAGS.</summary>
    RecommendFlags = 5048,

    /// <summary>RPMTAG_SUGGESTNAME.</summary>
    SuggestName = 5049,

    /// <summary>RPMTAG_SUGGESTVERSION.</summary>
    SuggestVersion = 5050,

    /// <summary>RPMTAG_SUGGESTFLAGS.</summary>
    SuggestFlags = 5051,

    /// <summary>RPMTAG_SUPPLEMENTNAME.</summary>
    SupplementName = 5052,

    /// <summary>RPMTAG_SUPPLEMENTVERSION.</summary>
    SupplementVersion = 5053,

    /// <summary>RPMTAG_SUPPLEMENTFLAGS.</summary>
    SupplementFlags = 5054,

    /// <summary>RPMTAG_ENHANCENAME.</summary>
    EnhanceName = 5055,

    /// <summary>RPMTAG_ENHANCEVERSION.</summary>
    EnhanceVersion = 5056,

    /// <summary>RPMTAG_ENHANCEFLAGS.</summary>
    EnhanceFlags = 5057,

    /// <summary>RPMTAG_ENCODING.</summary>
    Encoding = 5062,

    /// <summary>RPMTAG_PAYLOADDIGEST.</summary>
    PayloadDigest = 5092,

    /// <summary>RPMTAG_PAYLOADDIGESTALGO.</summary>
    PayloadDigestAlgo = 5093,

    /// <summary>RPMTAG_MODULARITYLABEL.</summary>
    ModularityLabel = 5096,

    /// <summary>RPMTAG_PAYLOADDIGESTALT.</summary>
    PayloadDigestAlt = 5097,

    /// <summary>RPMTAG_RPMFORMAT (rpm 6): the package format version.</summary>
    RpmFormat = 5114,
}

/// <summary>Tags of the signature header (rpm's <c>RPMSIGTAG_*</c>): a tag space of its own.</summary>
public enum RpmSignatureTag
{
    /// <summary>The region tag of the signature header (RPMTAG_HEADERSIGNATURES).</summary>
    HeaderSignatures = 62,

    /// <summary>RPMSIGTAG_BADSHA1_1.</summary>
    BadSha1_1 = 264,

    /// <summary>RPMSIGTAG_BADSHA1_2.</summary>
    BadSha1_2 = 265,

    /// <summary>RPMSIGTAG_DSA: OpenPGP DSA signature of the header.</summary>
    Dsa = 267,

    /// <summary>RPMSIGTAG_RSA: OpenPGP RSA signature of the header.</summary>
    Rsa = 268,

    /// <summary>RPMSIGTAG_SHA1: SHA-1 of the header, hex.</summary>
    Sha1 = 269,

    /// <summary>RPMSIGTAG_LONGSIZE: header + payload size (64-bit).</summary>
    LongSize = 270,

    /// <summary>RPMSIGTAG_LONGARCHIVESIZE: uncompressed payload size (64-bit).</summary>
    LongArchiveSize = 271,

    /// <summary>RPMSIGTAG_SHA256: SHA-256 of the header, hex.</summary>
    Sha256 = 273,

    /// <summary>RPMSIGTAG_FILESIGNATURES.</summary>
    FileSignatures = 274,

    /// <summary>RPMSIGTAG_FILESIGNATURELENGTH.</summary>
    FileSignatureLength = 275,

    /// <summary>RPMSIGTAG_VERITYSIGNATURES.</summary>
    VeritySignatures = 276,

    /// <summary>RPMSIGTAG_VERITYSIGNATUREALGO.</summary>
    VeritySignatureAlgo = 277,

    /// <summary>RPMSIGTAG_OPENPGP (rpm 6): OpenPGP signatures of the header.</summary>
    OpenPgp = 278,

    /// <summary>RPMSIGTAG_SHA3_256 (rpm 6).</summary>
    Sha3_256 = 279,

    /// <summary>RPMSIGTAG_SIZE: header + payload size (32-bit).</summary>
    Size = 1000,

    /// <summary>RPMSIGTAG_LEMD5_1.</summary>
    LeMd5_1 = 1001,

    /// <summary>RPMSIGTAG_PGP: OpenPGP RSA signature of header + payload.</summary>
    Pgp = 1002,

    /// <summary>RPMSIGTAG_LEMD5_2.</summary>
    LeMd5_2 = 1003,

    /// <summary>RPMSIGTAG_MD5: MD5 of header + payload.</summary>
    Md5 = 1004,

    /// <summary>RPMSIGTAG_GPG: OpenPGP DSA signature of header + payload.</summary>
    Gpg = 1005,

    /// <summary>RPMSIGTAG_PGP5.</summary>
    Pgp5 = 1006,

    /// <summary>RPMSIGTAG_PAYLOADSIZE: uncompressed payload size (32-bit).</summary>
    PayloadSize = 1007,

    /// <summary>RPMSIGTAG_RESERVEDSPACE.</summary>
    ReservedSpace = 1008,
}

/// <summary>The type of a header entry's data (rpm's <c>rpmTagType</c>).</summary>
public enum RpmTagType
{
    /// <summary>RPM_NULL_TYPE.</summary>
    Null = 0,

    /// <summary>RPM_CHAR_TYPE.</summary>
    Char = 1,

    /// <summary>RPM_INT8_TYPE.</summary>
    Int8 = 2,

    /// <summary>RPM_INT16_TYPE (big-endian).</summary>
    Int16 = 3,

    /// <summary>RPM_INT32_TYPE (big-endian).</summary>
    Int32 = 4,

    /// <summary>RPM_INT64_TYPE (big-endian).</summary>
    Int64 = 5,

    /// <summary>RPM_STRING_TYPE: one NUL-terminated string.</summary>
    String = 6,

    /// <summary>RPM_BIN_TYPE: bytes.</summary>
    Bin = 7,

    /// <summary>RPM_STRING_ARRAY_TYPE: NUL-terminated strings.</summary>
    StringArray = 8,

    /// <summary>RPM_I18NSTRING_TYPE: one string per locale of <see cref="RpmTag.HeaderI18NTable"/>.</summary>
    I18NString = 9,
}
