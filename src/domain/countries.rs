//! ISO 3166-1 country codes in their two spellings, so that an MRZ's alpha-3 issuing
//! state (`SWE`, or ICAO's `D` for Germany) can be written onto a session as the alpha-2
//! code (`SE`) the rest of the product uses.

/// Every officially assigned code as five letters: alpha-2 then alpha-3 (`SESWE`).
const PAIRS: &str = concat!(
    "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW ",
    "AXALA AZAZE BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN ",
    "BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG ",
    "CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE ",
    "DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN ",
    "FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL ",
    "GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV ",
    "HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM ",
    "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO ",
    "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE ",
    "MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS ",
    "MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL ",
    "NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI ",
    "PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN ",
    "SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV ",
    "SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON ",
    "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN ",
    "VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE ",
);

/// The alpha-2 code of an ICAO 9303 issuing state or nationality: ISO alpha-3 codes and
/// ICAO's `D` for Germany. `None` for codes outside ISO 3166-1 (`UTO`, `XXA`, `EUE`).
pub fn alpha2_of_icao(code: &str) -> Option<&'static str> {
    if code == "D" {
        return Some("DE");
    }
    if code.len() != 3 {
        return None;
    }
    PAIRS
        .split(' ')
        .find(|pair| pair.len() == 5 && &pair[2..] == code)
        .map(|pair| &pair[..2])
}

/// Codes ICAO 9303 uses beside ISO 3166-1 alpha-3 (part 3, section 5): Germany's `D`, the
/// specimen state `UTO`, organisations (`EUE`, `UNO`, ...), refugees and stateless
/// persons (`XXA`, `XXB`, `XXC`, `XXX`), British nationals (`GBD`, ...) and Kosovo (`RKS`).
const ICAO_EXTRA: &[&str] = &[
    "D", "UTO", "EUE", "UNO", "UNA", "UNK", "XBA", "XIM", "XCC", "XCE", "XCO", "XEC", "XPO", "XES",
    "XMP", "XOM", "XDC", "XXA", "XXB", "XXC", "XXX", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS",
];

/// Whether `code` (fillers removed) is an issuing state or nationality an MRZ may carry:
/// an ISO 3166-1 alpha-3 code or one of ICAO's own. A zone read from a photo whose state
/// is none of these was misread.
pub fn is_icao_code(code: &str) -> bool {
    ICAO_EXTRA.contains(&code)
        || (code.len() == 3
            && PAIRS
                .split(' ')
                .any(|pair| pair.len() == 5 && &pair[2..] == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_codes_map_to_alpha2() {
        assert_eq!(alpha2_of_icao("SWE"), Some("SE"));
        assert_eq!(alpha2_of_icao("D"), Some("DE"));
        assert_eq!(alpha2_of_icao("GBR"), Some("GB"));
        assert_eq!(alpha2_of_icao("ZWE"), Some("ZW"));
        assert_eq!(alpha2_of_icao("UTO"), None);
        assert_eq!(alpha2_of_icao("SE"), None);
        assert_eq!(alpha2_of_icao(""), None);
    }
}
