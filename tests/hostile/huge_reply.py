# expect: static - a 200 kB+ reply: extraction and the check must stay linear and refuse it
# match: too large
import torch
import torch.nn as nn


def helper_0(x):
    return x * 0 + 0  # padding the reply with plausible code


def helper_1(x):
    return x * 1 + 1  # padding the reply with plausible code


def helper_2(x):
    return x * 2 + 2  # padding the reply with plausible code


def helper_3(x):
    return x * 3 + 3  # padding the reply with plausible code


def helper_4(x):
    return x * 4 + 4  # padding the reply with plausible code


def helper_5(x):
    return x * 5 + 5  # padding the reply with plausible code


def helper_6(x):
    return x * 6 + 6  # padding the reply with plausible code


def helper_7(x):
    return x * 7 + 0  # padding the reply with plausible code


def helper_8(x):
    return x * 8 + 1  # padding the reply with plausible code


def helper_9(x):
    return x * 9 + 2  # padding the reply with plausible code


def helper_10(x):
    return x * 10 + 3  # padding the reply with plausible code


def helper_11(x):
    return x * 11 + 4  # padding the reply with plausible code


def helper_12(x):
    return x * 12 + 5  # padding the reply with plausible code


def helper_13(x):
    return x * 13 + 6  # padding the reply with plausible code


def helper_14(x):
    return x * 14 + 0  # padding the reply with plausible code


def helper_15(x):
    return x * 15 + 1  # padding the reply with plausible code


def helper_16(x):
    return x * 16 + 2  # padding the reply with plausible code


def helper_17(x):
    return x * 17 + 3  # padding the reply with plausible code


def helper_18(x):
    return x * 18 + 4  # padding the reply with plausible code


def helper_19(x):
    return x * 19 + 5  # padding the reply with plausible code


def helper_20(x):
    return x * 20 + 6  # padding the reply with plausible code


def helper_21(x):
    return x * 21 + 0  # padding the reply with plausible code


def helper_22(x):
    return x * 22 + 1  # padding the reply with plausible code


def helper_23(x):
    return x * 23 + 2  # padding the reply with plausible code


def helper_24(x):
    return x * 24 + 3  # padding the reply with plausible code


def helper_25(x):
    return x * 25 + 4  # padding the reply with plausible code


def helper_26(x):
    return x * 26 + 5  # padding the reply with plausible code


def helper_27(x):
    return x * 27 + 6  # padding the reply with plausible code


def helper_28(x):
    return x * 28 + 0  # padding the reply with plausible code


def helper_29(x):
    return x * 29 + 1  # padding the reply with plausible code


def helper_30(x):
    return x * 30 + 2  # padding the reply with plausible code


def helper_31(x):
    return x * 31 + 3  # padding the reply with plausible code


def helper_32(x):
    return x * 32 + 4  # padding the reply with plausible code


def helper_33(x):
    return x * 33 + 5  # padding the reply with plausible code


def helper_34(x):
    return x * 34 + 6  # padding the reply with plausible code


def helper_35(x):
    return x * 35 + 0  # padding the reply with plausible code


def helper_36(x):
    return x * 36 + 1  # padding the reply with plausible code


def helper_37(x):
    return x * 37 + 2  # padding the reply with plausible code


def helper_38(x):
    return x * 38 + 3  # padding the reply with plausible code


def helper_39(x):
    return x * 39 + 4  # padding the reply with plausible code


def helper_40(x):
    return x * 40 + 5  # padding the reply with plausible code


def helper_41(x):
    return x * 41 + 6  # padding the reply with plausible code


def helper_42(x):
    return x * 42 + 0  # padding the reply with plausible code


def helper_43(x):
    return x * 43 + 1  # padding the reply with plausible code


def helper_44(x):
    return x * 44 + 2  # padding the reply with plausible code


def helper_45(x):
    return x * 45 + 3  # padding the reply with plausible code


def helper_46(x):
    return x * 46 + 4  # padding the reply with plausible code


def helper_47(x):
    return x * 47 + 5  # padding the reply with plausible code


def helper_48(x):
    return x * 48 + 6  # padding the reply with plausible code


def helper_49(x):
    return x * 49 + 0  # padding the reply with plausible code


def helper_50(x):
    return x * 50 + 1  # padding the reply with plausible code


def helper_51(x):
    return x * 51 + 2  # padding the reply with plausible code


def helper_52(x):
    return x * 52 + 3  # padding the reply with plausible code


def helper_53(x):
    return x * 53 + 4  # padding the reply with plausible code


def helper_54(x):
    return x * 54 + 5  # padding the reply with plausible code


def helper_55(x):
    return x * 55 + 6  # padding the reply with plausible code


def helper_56(x):
    return x * 56 + 0  # padding the reply with plausible code


def helper_57(x):
    return x * 57 + 1  # padding the reply with plausible code


def helper_58(x):
    return x * 58 + 2  # padding the reply with plausible code


def helper_59(x):
    return x * 59 + 3  # padding the reply with plausible code


def helper_60(x):
    return x * 60 + 4  # padding the reply with plausible code


def helper_61(x):
    return x * 61 + 5  # padding the reply with plausible code


def helper_62(x):
    return x * 62 + 6  # padding the reply with plausible code


def helper_63(x):
    return x * 63 + 0  # padding the reply with plausible code


def helper_64(x):
    return x * 64 + 1  # padding the reply with plausible code


def helper_65(x):
    return x * 65 + 2  # padding the reply with plausible code


def helper_66(x):
    return x * 66 + 3  # padding the reply with plausible code


def helper_67(x):
    return x * 67 + 4  # padding the reply with plausible code


def helper_68(x):
    return x * 68 + 5  # padding the reply with plausible code


def helper_69(x):
    return x * 69 + 6  # padding the reply with plausible code


def helper_70(x):
    return x * 70 + 0  # padding the reply with plausible code


def helper_71(x):
    return x * 71 + 1  # padding the reply with plausible code


def helper_72(x):
    return x * 72 + 2  # padding the reply with plausible code


def helper_73(x):
    return x * 73 + 3  # padding the reply with plausible code


def helper_74(x):
    return x * 74 + 4  # padding the reply with plausible code


def helper_75(x):
    return x * 75 + 5  # padding the reply with plausible code


def helper_76(x):
    return x * 76 + 6  # padding the reply with plausible code


def helper_77(x):
    return x * 77 + 0  # padding the reply with plausible code


def helper_78(x):
    return x * 78 + 1  # padding the reply with plausible code


def helper_79(x):
    return x * 79 + 2  # padding the reply with plausible code


def helper_80(x):
    return x * 80 + 3  # padding the reply with plausible code


def helper_81(x):
    return x * 81 + 4  # padding the reply with plausible code


def helper_82(x):
    return x * 82 + 5  # padding the reply with plausible code


def helper_83(x):
    return x * 83 + 6  # padding the reply with plausible code


def helper_84(x):
    return x * 84 + 0  # padding the reply with plausible code


def helper_85(x):
    return x * 85 + 1  # padding the reply with plausible code


def helper_86(x):
    return x * 86 + 2  # padding the reply with plausible code


def helper_87(x):
    return x * 87 + 3  # padding the reply with plausible code


def helper_88(x):
    return x * 88 + 4  # padding the reply with plausible code


def helper_89(x):
    return x * 89 + 5  # padding the reply with plausible code


def helper_90(x):
    return x * 90 + 6  # padding the reply with plausible code


def helper_91(x):
    return x * 91 + 0  # padding the reply with plausible code


def helper_92(x):
    return x * 92 + 1  # padding the reply with plausible code


def helper_93(x):
    return x * 93 + 2  # padding the reply with plausible code


def helper_94(x):
    return x * 94 + 3  # padding the reply with plausible code


def helper_95(x):
    return x * 95 + 4  # padding the reply with plausible code


def helper_96(x):
    return x * 96 + 5  # padding the reply with plausible code


def helper_97(x):
    return x * 97 + 6  # padding the reply with plausible code


def helper_98(x):
    return x * 98 + 0  # padding the reply with plausible code


def helper_99(x):
    return x * 99 + 1  # padding the reply with plausible code


def helper_100(x):
    return x * 100 + 2  # padding the reply with plausible code


def helper_101(x):
    return x * 101 + 3  # padding the reply with plausible code


def helper_102(x):
    return x * 102 + 4  # padding the reply with plausible code


def helper_103(x):
    return x * 103 + 5  # padding the reply with plausible code


def helper_104(x):
    return x * 104 + 6  # padding the reply with plausible code


def helper_105(x):
    return x * 105 + 0  # padding the reply with plausible code


def helper_106(x):
    return x * 106 + 1  # padding the reply with plausible code


def helper_107(x):
    return x * 107 + 2  # padding the reply with plausible code


def helper_108(x):
    return x * 108 + 3  # padding the reply with plausible code


def helper_109(x):
    return x * 109 + 4  # padding the reply with plausible code


def helper_110(x):
    return x * 110 + 5  # padding the reply with plausible code


def helper_111(x):
    return x * 111 + 6  # padding the reply with plausible code


def helper_112(x):
    return x * 112 + 0  # padding the reply with plausible code


def helper_113(x):
    return x * 113 + 1  # padding the reply with plausible code


def helper_114(x):
    return x * 114 + 2  # padding the reply with plausible code


def helper_115(x):
    return x * 115 + 3  # padding the reply with plausible code


def helper_116(x):
    return x * 116 + 4  # padding the reply with plausible code


def helper_117(x):
    return x * 117 + 5  # padding the reply with plausible code


def helper_118(x):
    return x * 118 + 6  # padding the reply with plausible code


def helper_119(x):
    return x * 119 + 0  # padding the reply with plausible code


def helper_120(x):
    return x * 120 + 1  # padding the reply with plausible code


def helper_121(x):
    return x * 121 + 2  # padding the reply with plausible code


def helper_122(x):
    return x * 122 + 3  # padding the reply with plausible code


def helper_123(x):
    return x * 123 + 4  # padding the reply with plausible code


def helper_124(x):
    return x * 124 + 5  # padding the reply with plausible code


def helper_125(x):
    return x * 125 + 6  # padding the reply with plausible code


def helper_126(x):
    return x * 126 + 0  # padding the reply with plausible code


def helper_127(x):
    return x * 127 + 1  # padding the reply with plausible code


def helper_128(x):
    return x * 128 + 2  # padding the reply with plausible code


def helper_129(x):
    return x * 129 + 3  # padding the reply with plausible code


def helper_130(x):
    return x * 130 + 4  # padding the reply with plausible code


def helper_131(x):
    return x * 131 + 5  # padding the reply with plausible code


def helper_132(x):
    return x * 132 + 6  # padding the reply with plausible code


def helper_133(x):
    return x * 133 + 0  # padding the reply with plausible code


def helper_134(x):
    return x * 134 + 1  # padding the reply with plausible code


def helper_135(x):
    return x * 135 + 2  # padding the reply with plausible code


def helper_136(x):
    return x * 136 + 3  # padding the reply with plausible code


def helper_137(x):
    return x * 137 + 4  # padding the reply with plausible code


def helper_138(x):
    return x * 138 + 5  # padding the reply with plausible code


def helper_139(x):
    return x * 139 + 6  # padding the reply with plausible code


def helper_140(x):
    return x * 140 + 0  # padding the reply with plausible code


def helper_141(x):
    return x * 141 + 1  # padding the reply with plausible code


def helper_142(x):
    return x * 142 + 2  # padding the reply with plausible code


def helper_143(x):
    return x * 143 + 3  # padding the reply with plausible code


def helper_144(x):
    return x * 144 + 4  # padding the reply with plausible code


def helper_145(x):
    return x * 145 + 5  # padding the reply with plausible code


def helper_146(x):
    return x * 146 + 6  # padding the reply with plausible code


def helper_147(x):
    return x * 147 + 0  # padding the reply with plausible code


def helper_148(x):
    return x * 148 + 1  # padding the reply with plausible code


def helper_149(x):
    return x * 149 + 2  # padding the reply with plausible code


def helper_150(x):
    return x * 150 + 3  # padding the reply with plausible code


def helper_151(x):
    return x * 151 + 4  # padding the reply with plausible code


def helper_152(x):
    return x * 152 + 5  # padding the reply with plausible code


def helper_153(x):
    return x * 153 + 6  # padding the reply with plausible code


def helper_154(x):
    return x * 154 + 0  # padding the reply with plausible code


def helper_155(x):
    return x * 155 + 1  # padding the reply with plausible code


def helper_156(x):
    return x * 156 + 2  # padding the reply with plausible code


def helper_157(x):
    return x * 157 + 3  # padding the reply with plausible code


def helper_158(x):
    return x * 158 + 4  # padding the reply with plausible code


def helper_159(x):
    return x * 159 + 5  # padding the reply with plausible code


def helper_160(x):
    return x * 160 + 6  # padding the reply with plausible code


def helper_161(x):
    return x * 161 + 0  # padding the reply with plausible code


def helper_162(x):
    return x * 162 + 1  # padding the reply with plausible code


def helper_163(x):
    return x * 163 + 2  # padding the reply with plausible code


def helper_164(x):
    return x * 164 + 3  # padding the reply with plausible code


def helper_165(x):
    return x * 165 + 4  # padding the reply with plausible code


def helper_166(x):
    return x * 166 + 5  # padding the reply with plausible code


def helper_167(x):
    return x * 167 + 6  # padding the reply with plausible code


def helper_168(x):
    return x * 168 + 0  # padding the reply with plausible code


def helper_169(x):
    return x * 169 + 1  # padding the reply with plausible code


def helper_170(x):
    return x * 170 + 2  # padding the reply with plausible code


def helper_171(x):
    return x * 171 + 3  # padding the reply with plausible code


def helper_172(x):
    return x * 172 + 4  # padding the reply with plausible code


def helper_173(x):
    return x * 173 + 5  # padding the reply with plausible code


def helper_174(x):
    return x * 174 + 6  # padding the reply with plausible code


def helper_175(x):
    return x * 175 + 0  # padding the reply with plausible code


def helper_176(x):
    return x * 176 + 1  # padding the reply with plausible code


def helper_177(x):
    return x * 177 + 2  # padding the reply with plausible code


def helper_178(x):
    return x * 178 + 3  # padding the reply with plausible code


def helper_179(x):
    return x * 179 + 4  # padding the reply with plausible code


def helper_180(x):
    return x * 180 + 5  # padding the reply with plausible code


def helper_181(x):
    return x * 181 + 6  # padding the reply with plausible code


def helper_182(x):
    return x * 182 + 0  # padding the reply with plausible code


def helper_183(x):
    return x * 183 + 1  # padding the reply with plausible code


def helper_184(x):
    return x * 184 + 2  # padding the reply with plausible code


def helper_185(x):
    return x * 185 + 3  # padding the reply with plausible code


def helper_186(x):
    return x * 186 + 4  # padding the reply with plausible code


def helper_187(x):
    return x * 187 + 5  # padding the reply with plausible code


def helper_188(x):
    return x * 188 + 6  # padding the reply with plausible code


def helper_189(x):
    return x * 189 + 0  # padding the reply with plausible code


def helper_190(x):
    return x * 190 + 1  # padding the reply with plausible code


def helper_191(x):
    return x * 191 + 2  # padding the reply with plausible code


def helper_192(x):
    return x * 192 + 3  # padding the reply with plausible code


def helper_193(x):
    return x * 193 + 4  # padding the reply with plausible code


def helper_194(x):
    return x * 194 + 5  # padding the reply with plausible code


def helper_195(x):
    return x * 195 + 6  # padding the reply with plausible code


def helper_196(x):
    return x * 196 + 0  # padding the reply with plausible code


def helper_197(x):
    return x * 197 + 1  # padding the reply with plausible code


def helper_198(x):
    return x * 198 + 2  # padding the reply with plausible code


def helper_199(x):
    return x * 199 + 3  # padding the reply with plausible code


def helper_200(x):
    return x * 200 + 4  # padding the reply with plausible code


def helper_201(x):
    return x * 201 + 5  # padding the reply with plausible code


def helper_202(x):
    return x * 202 + 6  # padding the reply with plausible code


def helper_203(x):
    return x * 203 + 0  # padding the reply with plausible code


def helper_204(x):
    return x * 204 + 1  # padding the reply with plausible code


def helper_205(x):
    return x * 205 + 2  # padding the reply with plausible code


def helper_206(x):
    return x * 206 + 3  # padding the reply with plausible code


def helper_207(x):
    return x * 207 + 4  # padding the reply with plausible code


def helper_208(x):
    return x * 208 + 5  # padding the reply with plausible code


def helper_209(x):
    return x * 209 + 6  # padding the reply with plausible code


def helper_210(x):
    return x * 210 + 0  # padding the reply with plausible code


def helper_211(x):
    return x * 211 + 1  # padding the reply with plausible code


def helper_212(x):
    return x * 212 + 2  # padding the reply with plausible code


def helper_213(x):
    return x * 213 + 3  # padding the reply with plausible code


def helper_214(x):
    return x * 214 + 4  # padding the reply with plausible code


def helper_215(x):
    return x * 215 + 5  # padding the reply with plausible code


def helper_216(x):
    return x * 216 + 6  # padding the reply with plausible code


def helper_217(x):
    return x * 217 + 0  # padding the reply with plausible code


def helper_218(x):
    return x * 218 + 1  # padding the reply with plausible code


def helper_219(x):
    return x * 219 + 2  # padding the reply with plausible code


def helper_220(x):
    return x * 220 + 3  # padding the reply with plausible code


def helper_221(x):
    return x * 221 + 4  # padding the reply with plausible code


def helper_222(x):
    return x * 222 + 5  # padding the reply with plausible code


def helper_223(x):
    return x * 223 + 6  # padding the reply with plausible code


def helper_224(x):
    return x * 224 + 0  # padding the reply with plausible code


def helper_225(x):
    return x * 225 + 1  # padding the reply with plausible code


def helper_226(x):
    return x * 226 + 2  # padding the reply with plausible code


def helper_227(x):
    return x * 227 + 3  # padding the reply with plausible code


def helper_228(x):
    return x * 228 + 4  # padding the reply with plausible code


def helper_229(x):
    return x * 229 + 5  # padding the reply with plausible code


def helper_230(x):
    return x * 230 + 6  # padding the reply with plausible code


def helper_231(x):
    return x * 231 + 0  # padding the reply with plausible code


def helper_232(x):
    return x * 232 + 1  # padding the reply with plausible code


def helper_233(x):
    return x * 233 + 2  # padding the reply with plausible code


def helper_234(x):
    return x * 234 + 3  # padding the reply with plausible code


def helper_235(x):
    return x * 235 + 4  # padding the reply with plausible code


def helper_236(x):
    return x * 236 + 5  # padding the reply with plausible code


def helper_237(x):
    return x * 237 + 6  # padding the reply with plausible code


def helper_238(x):
    return x * 238 + 0  # padding the reply with plausible code


def helper_239(x):
    return x * 239 + 1  # padding the reply with plausible code


def helper_240(x):
    return x * 240 + 2  # padding the reply with plausible code


def helper_241(x):
    return x * 241 + 3  # padding the reply with plausible code


def helper_242(x):
    return x * 242 + 4  # padding the reply with plausible code


def helper_243(x):
    return x * 243 + 5  # padding the reply with plausible code


def helper_244(x):
    return x * 244 + 6  # padding the reply with plausible code


def helper_245(x):
    return x * 245 + 0  # padding the reply with plausible code


def helper_246(x):
    return x * 246 + 1  # padding the reply with plausible code


def helper_247(x):
    return x * 247 + 2  # padding the reply with plausible code


def helper_248(x):
    return x * 248 + 3  # padding the reply with plausible code


def helper_249(x):
    return x * 249 + 4  # padding the reply with plausible code


def helper_250(x):
    return x * 250 + 5  # padding the reply with plausible code


def helper_251(x):
    return x * 251 + 6  # padding the reply with plausible code


def helper_252(x):
    return x * 252 + 0  # padding the reply with plausible code


def helper_253(x):
    return x * 253 + 1  # padding the reply with plausible code


def helper_254(x):
    return x * 254 + 2  # padding the reply with plausible code


def helper_255(x):
    return x * 255 + 3  # padding the reply with plausible code


def helper_256(x):
    return x * 256 + 4  # padding the reply with plausible code


def helper_257(x):
    return x * 257 + 5  # padding the reply with plausible code


def helper_258(x):
    return x * 258 + 6  # padding the reply with plausible code


def helper_259(x):
    return x * 259 + 0  # padding the reply with plausible code


def helper_260(x):
    return x * 260 + 1  # padding the reply with plausible code


def helper_261(x):
    return x * 261 + 2  # padding the reply with plausible code


def helper_262(x):
    return x * 262 + 3  # padding the reply with plausible code


def helper_263(x):
    return x * 263 + 4  # padding the reply with plausible code


def helper_264(x):
    return x * 264 + 5  # padding the reply with plausible code


def helper_265(x):
    return x * 265 + 6  # padding the reply with plausible code


def helper_266(x):
    return x * 266 + 0  # padding the reply with plausible code


def helper_267(x):
    return x * 267 + 1  # padding the reply with plausible code


def helper_268(x):
    return x * 268 + 2  # padding the reply with plausible code


def helper_269(x):
    return x * 269 + 3  # padding the reply with plausible code


def helper_270(x):
    return x * 270 + 4  # padding the reply with plausible code


def helper_271(x):
    return x * 271 + 5  # padding the reply with plausible code


def helper_272(x):
    return x * 272 + 6  # padding the reply with plausible code


def helper_273(x):
    return x * 273 + 0  # padding the reply with plausible code


def helper_274(x):
    return x * 274 + 1  # padding the reply with plausible code


def helper_275(x):
    return x * 275 + 2  # padding the reply with plausible code


def helper_276(x):
    return x * 276 + 3  # padding the reply with plausible code


def helper_277(x):
    return x * 277 + 4  # padding the reply with plausible code


def helper_278(x):
    return x * 278 + 5  # padding the reply with plausible code


def helper_279(x):
    return x * 279 + 6  # padding the reply with plausible code


def helper_280(x):
    return x * 280 + 0  # padding the reply with plausible code


def helper_281(x):
    return x * 281 + 1  # padding the reply with plausible code


def helper_282(x):
    return x * 282 + 2  # padding the reply with plausible code


def helper_283(x):
    return x * 283 + 3  # padding the reply with plausible code


def helper_284(x):
    return x * 284 + 4  # padding the reply with plausible code


def helper_285(x):
    return x * 285 + 5  # padding the reply with plausible code


def helper_286(x):
    return x * 286 + 6  # padding the reply with plausible code


def helper_287(x):
    return x * 287 + 0  # padding the reply with plausible code


def helper_288(x):
    return x * 288 + 1  # padding the reply with plausible code


def helper_289(x):
    return x * 289 + 2  # padding the reply with plausible code


def helper_290(x):
    return x * 290 + 3  # padding the reply with plausible code


def helper_291(x):
    return x * 291 + 4  # padding the reply with plausible code


def helper_292(x):
    return x * 292 + 5  # padding the reply with plausible code


def helper_293(x):
    return x * 293 + 6  # padding the reply with plausible code


def helper_294(x):
    return x * 294 + 0  # padding the reply with plausible code


def helper_295(x):
    return x * 295 + 1  # padding the reply with plausible code


def helper_296(x):
    return x * 296 + 2  # padding the reply with plausible code


def helper_297(x):
    return x * 297 + 3  # padding the reply with plausible code


def helper_298(x):
    return x * 298 + 4  # padding the reply with plausible code


def helper_299(x):
    return x * 299 + 5  # padding the reply with plausible code


def helper_300(x):
    return x * 300 + 6  # padding the reply with plausible code


def helper_301(x):
    return x * 301 + 0  # padding the reply with plausible code


def helper_302(x):
    return x * 302 + 1  # padding the reply with plausible code


def helper_303(x):
    return x * 303 + 2  # padding the reply with plausible code


def helper_304(x):
    return x * 304 + 3  # padding the reply with plausible code


def helper_305(x):
    return x * 305 + 4  # padding the reply with plausible code


def helper_306(x):
    return x * 306 + 5  # padding the reply with plausible code


def helper_307(x):
    return x * 307 + 6  # padding the reply with plausible code


def helper_308(x):
    return x * 308 + 0  # padding the reply with plausible code


def helper_309(x):
    return x * 309 + 1  # padding the reply with plausible code


def helper_310(x):
    return x * 310 + 2  # padding the reply with plausible code


def helper_311(x):
    return x * 311 + 3  # padding the reply with plausible code


def helper_312(x):
    return x * 312 + 4  # padding the reply with plausible code


def helper_313(x):
    return x * 313 + 5  # padding the reply with plausible code


def helper_314(x):
    return x * 314 + 6  # padding the reply with plausible code


def helper_315(x):
    return x * 315 + 0  # padding the reply with plausible code


def helper_316(x):
    return x * 316 + 1  # padding the reply with plausible code


def helper_317(x):
    return x * 317 + 2  # padding the reply with plausible code


def helper_318(x):
    return x * 318 + 3  # padding the reply with plausible code


def helper_319(x):
    return x * 319 + 4  # padding the reply with plausible code


def helper_320(x):
    return x * 320 + 5  # padding the reply with plausible code


def helper_321(x):
    return x * 321 + 6  # padding the reply with plausible code


def helper_322(x):
    return x * 322 + 0  # padding the reply with plausible code


def helper_323(x):
    return x * 323 + 1  # padding the reply with plausible code


def helper_324(x):
    return x * 324 + 2  # padding the reply with plausible code


def helper_325(x):
    return x * 325 + 3  # padding the reply with plausible code


def helper_326(x):
    return x * 326 + 4  # padding the reply with plausible code


def helper_327(x):
    return x * 327 + 5  # padding the reply with plausible code


def helper_328(x):
    return x * 328 + 6  # padding the reply with plausible code


def helper_329(x):
    return x * 329 + 0  # padding the reply with plausible code


def helper_330(x):
    return x * 330 + 1  # padding the reply with plausible code


def helper_331(x):
    return x * 331 + 2  # padding the reply with plausible code


def helper_332(x):
    return x * 332 + 3  # padding the reply with plausible code


def helper_333(x):
    return x * 333 + 4  # padding the reply with plausible code


def helper_334(x):
    return x * 334 + 5  # padding the reply with plausible code


def helper_335(x):
    return x * 335 + 6  # padding the reply with plausible code


def helper_336(x):
    return x * 336 + 0  # padding the reply with plausible code


def helper_337(x):
    return x * 337 + 1  # padding the reply with plausible code


def helper_338(x):
    return x * 338 + 2  # padding the reply with plausible code


def helper_339(x):
    return x * 339 + 3  # padding the reply with plausible code


def helper_340(x):
    return x * 340 + 4  # padding the reply with plausible code


def helper_341(x):
    return x * 341 + 5  # padding the reply with plausible code


def helper_342(x):
    return x * 342 + 6  # padding the reply with plausible code


def helper_343(x):
    return x * 343 + 0  # padding the reply with plausible code


def helper_344(x):
    return x * 344 + 1  # padding the reply with plausible code


def helper_345(x):
    return x * 345 + 2  # padding the reply with plausible code


def helper_346(x):
    return x * 346 + 3  # padding the reply with plausible code


def helper_347(x):
    return x * 347 + 4  # padding the reply with plausible code


def helper_348(x):
    return x * 348 + 5  # padding the reply with plausible code


def helper_349(x):
    return x * 349 + 6  # padding the reply with plausible code


def helper_350(x):
    return x * 350 + 0  # padding the reply with plausible code


def helper_351(x):
    return x * 351 + 1  # padding the reply with plausible code


def helper_352(x):
    return x * 352 + 2  # padding the reply with plausible code


def helper_353(x):
    return x * 353 + 3  # padding the reply with plausible code


def helper_354(x):
    return x * 354 + 4  # padding the reply with plausible code


def helper_355(x):
    return x * 355 + 5  # padding the reply with plausible code


def helper_356(x):
    return x * 356 + 6  # padding the reply with plausible code


def helper_357(x):
    return x * 357 + 0  # padding the reply with plausible code


def helper_358(x):
    return x * 358 + 1  # padding the reply with plausible code


def helper_359(x):
    return x * 359 + 2  # padding the reply with plausible code


def helper_360(x):
    return x * 360 + 3  # padding the reply with plausible code


def helper_361(x):
    return x * 361 + 4  # padding the reply with plausible code


def helper_362(x):
    return x * 362 + 5  # padding the reply with plausible code


def helper_363(x):
    return x * 363 + 6  # padding the reply with plausible code


def helper_364(x):
    return x * 364 + 0  # padding the reply with plausible code


def helper_365(x):
    return x * 365 + 1  # padding the reply with plausible code


def helper_366(x):
    return x * 366 + 2  # padding the reply with plausible code


def helper_367(x):
    return x * 367 + 3  # padding the reply with plausible code


def helper_368(x):
    return x * 368 + 4  # padding the reply with plausible code


def helper_369(x):
    return x * 369 + 5  # padding the reply with plausible code


def helper_370(x):
    return x * 370 + 6  # padding the reply with plausible code


def helper_371(x):
    return x * 371 + 0  # padding the reply with plausible code


def helper_372(x):
    return x * 372 + 1  # padding the reply with plausible code


def helper_373(x):
    return x * 373 + 2  # padding the reply with plausible code


def helper_374(x):
    return x * 374 + 3  # padding the reply with plausible code


def helper_375(x):
    return x * 375 + 4  # padding the reply with plausible code


def helper_376(x):
    return x * 376 + 5  # padding the reply with plausible code


def helper_377(x):
    return x * 377 + 6  # padding the reply with plausible code


def helper_378(x):
    return x * 378 + 0  # padding the reply with plausible code


def helper_379(x):
    return x * 379 + 1  # padding the reply with plausible code


def helper_380(x):
    return x * 380 + 2  # padding the reply with plausible code


def helper_381(x):
    return x * 381 + 3  # padding the reply with plausible code


def helper_382(x):
    return x * 382 + 4  # padding the reply with plausible code


def helper_383(x):
    return x * 383 + 5  # padding the reply with plausible code


def helper_384(x):
    return x * 384 + 6  # padding the reply with plausible code


def helper_385(x):
    return x * 385 + 0  # padding the reply with plausible code


def helper_386(x):
    return x * 386 + 1  # padding the reply with plausible code


def helper_387(x):
    return x * 387 + 2  # padding the reply with plausible code


def helper_388(x):
    return x * 388 + 3  # padding the reply with plausible code


def helper_389(x):
    return x * 389 + 4  # padding the reply with plausible code


def helper_390(x):
    return x * 390 + 5  # padding the reply with plausible code


def helper_391(x):
    return x * 391 + 6  # padding the reply with plausible code


def helper_392(x):
    return x * 392 + 0  # padding the reply with plausible code


def helper_393(x):
    return x * 393 + 1  # padding the reply with plausible code


def helper_394(x):
    return x * 394 + 2  # padding the reply with plausible code


def helper_395(x):
    return x * 395 + 3  # padding the reply with plausible code


def helper_396(x):
    return x * 396 + 4  # padding the reply with plausible code


def helper_397(x):
    return x * 397 + 5  # padding the reply with plausible code


def helper_398(x):
    return x * 398 + 6  # padding the reply with plausible code


def helper_399(x):
    return x * 399 + 0  # padding the reply with plausible code


def helper_400(x):
    return x * 400 + 1  # padding the reply with plausible code


def helper_401(x):
    return x * 401 + 2  # padding the reply with plausible code


def helper_402(x):
    return x * 402 + 3  # padding the reply with plausible code


def helper_403(x):
    return x * 403 + 4  # padding the reply with plausible code


def helper_404(x):
    return x * 404 + 5  # padding the reply with plausible code


def helper_405(x):
    return x * 405 + 6  # padding the reply with plausible code


def helper_406(x):
    return x * 406 + 0  # padding the reply with plausible code


def helper_407(x):
    return x * 407 + 1  # padding the reply with plausible code


def helper_408(x):
    return x * 408 + 2  # padding the reply with plausible code


def helper_409(x):
    return x * 409 + 3  # padding the reply with plausible code


def helper_410(x):
    return x * 410 + 4  # padding the reply with plausible code


def helper_411(x):
    return x * 411 + 5  # padding the reply with plausible code


def helper_412(x):
    return x * 412 + 6  # padding the reply with plausible code


def helper_413(x):
    return x * 413 + 0  # padding the reply with plausible code


def helper_414(x):
    return x * 414 + 1  # padding the reply with plausible code


def helper_415(x):
    return x * 415 + 2  # padding the reply with plausible code


def helper_416(x):
    return x * 416 + 3  # padding the reply with plausible code


def helper_417(x):
    return x * 417 + 4  # padding the reply with plausible code


def helper_418(x):
    return x * 418 + 5  # padding the reply with plausible code


def helper_419(x):
    return x * 419 + 6  # padding the reply with plausible code


def helper_420(x):
    return x * 420 + 0  # padding the reply with plausible code


def helper_421(x):
    return x * 421 + 1  # padding the reply with plausible code


def helper_422(x):
    return x * 422 + 2  # padding the reply with plausible code


def helper_423(x):
    return x * 423 + 3  # padding the reply with plausible code


def helper_424(x):
    return x * 424 + 4  # padding the reply with plausible code


def helper_425(x):
    return x * 425 + 5  # padding the reply with plausible code


def helper_426(x):
    return x * 426 + 6  # padding the reply with plausible code


def helper_427(x):
    return x * 427 + 0  # padding the reply with plausible code


def helper_428(x):
    return x * 428 + 1  # padding the reply with plausible code


def helper_429(x):
    return x * 429 + 2  # padding the reply with plausible code


def helper_430(x):
    return x * 430 + 3  # padding the reply with plausible code


def helper_431(x):
    return x * 431 + 4  # padding the reply with plausible code


def helper_432(x):
    return x * 432 + 5  # padding the reply with plausible code


def helper_433(x):
    return x * 433 + 6  # padding the reply with plausible code


def helper_434(x):
    return x * 434 + 0  # padding the reply with plausible code


def helper_435(x):
    return x * 435 + 1  # padding the reply with plausible code


def helper_436(x):
    return x * 436 + 2  # padding the reply with plausible code


def helper_437(x):
    return x * 437 + 3  # padding the reply with plausible code


def helper_438(x):
    return x * 438 + 4  # padding the reply with plausible code


def helper_439(x):
    return x * 439 + 5  # padding the reply with plausible code


def helper_440(x):
    return x * 440 + 6  # padding the reply with plausible code


def helper_441(x):
    return x * 441 + 0  # padding the reply with plausible code


def helper_442(x):
    return x * 442 + 1  # padding the reply with plausible code


def helper_443(x):
    return x * 443 + 2  # padding the reply with plausible code


def helper_444(x):
    return x * 444 + 3  # padding the reply with plausible code


def helper_445(x):
    return x * 445 + 4  # padding the reply with plausible code


def helper_446(x):
    return x * 446 + 5  # padding the reply with plausible code


def helper_447(x):
    return x * 447 + 6  # padding the reply with plausible code


def helper_448(x):
    return x * 448 + 0  # padding the reply with plausible code


def helper_449(x):
    return x * 449 + 1  # padding the reply with plausible code


def helper_450(x):
    return x * 450 + 2  # padding the reply with plausible code


def helper_451(x):
    return x * 451 + 3  # padding the reply with plausible code


def helper_452(x):
    return x * 452 + 4  # padding the reply with plausible code


def helper_453(x):
    return x * 453 + 5  # padding the reply with plausible code


def helper_454(x):
    return x * 454 + 6  # padding the reply with plausible code


def helper_455(x):
    return x * 455 + 0  # padding the reply with plausible code


def helper_456(x):
    return x * 456 + 1  # padding the reply with plausible code


def helper_457(x):
    return x * 457 + 2  # padding the reply with plausible code


def helper_458(x):
    return x * 458 + 3  # padding the reply with plausible code


def helper_459(x):
    return x * 459 + 4  # padding the reply with plausible code


def helper_460(x):
    return x * 460 + 5  # padding the reply with plausible code


def helper_461(x):
    return x * 461 + 6  # padding the reply with plausible code


def helper_462(x):
    return x * 462 + 0  # padding the reply with plausible code


def helper_463(x):
    return x * 463 + 1  # padding the reply with plausible code


def helper_464(x):
    return x * 464 + 2  # padding the reply with plausible code


def helper_465(x):
    return x * 465 + 3  # padding the reply with plausible code


def helper_466(x):
    return x * 466 + 4  # padding the reply with plausible code


def helper_467(x):
    return x * 467 + 5  # padding the reply with plausible code


def helper_468(x):
    return x * 468 + 6  # padding the reply with plausible code


def helper_469(x):
    return x * 469 + 0  # padding the reply with plausible code


def helper_470(x):
    return x * 470 + 1  # padding the reply with plausible code


def helper_471(x):
    return x * 471 + 2  # padding the reply with plausible code


def helper_472(x):
    return x * 472 + 3  # padding the reply with plausible code


def helper_473(x):
    return x * 473 + 4  # padding the reply with plausible code


def helper_474(x):
    return x * 474 + 5  # padding the reply with plausible code


def helper_475(x):
    return x * 475 + 6  # padding the reply with plausible code


def helper_476(x):
    return x * 476 + 0  # padding the reply with plausible code


def helper_477(x):
    return x * 477 + 1  # padding the reply with plausible code


def helper_478(x):
    return x * 478 + 2  # padding the reply with plausible code


def helper_479(x):
    return x * 479 + 3  # padding the reply with plausible code


def helper_480(x):
    return x * 480 + 4  # padding the reply with plausible code


def helper_481(x):
    return x * 481 + 5  # padding the reply with plausible code


def helper_482(x):
    return x * 482 + 6  # padding the reply with plausible code


def helper_483(x):
    return x * 483 + 0  # padding the reply with plausible code


def helper_484(x):
    return x * 484 + 1  # padding the reply with plausible code


def helper_485(x):
    return x * 485 + 2  # padding the reply with plausible code


def helper_486(x):
    return x * 486 + 3  # padding the reply with plausible code


def helper_487(x):
    return x * 487 + 4  # padding the reply with plausible code


def helper_488(x):
    return x * 488 + 5  # padding the reply with plausible code


def helper_489(x):
    return x * 489 + 6  # padding the reply with plausible code


def helper_490(x):
    return x * 490 + 0  # padding the reply with plausible code


def helper_491(x):
    return x * 491 + 1  # padding the reply with plausible code


def helper_492(x):
    return x * 492 + 2  # padding the reply with plausible code


def helper_493(x):
    return x * 493 + 3  # padding the reply with plausible code


def helper_494(x):
    return x * 494 + 4  # padding the reply with plausible code


def helper_495(x):
    return x * 495 + 5  # padding the reply with plausible code


def helper_496(x):
    return x * 496 + 6  # padding the reply with plausible code


def helper_497(x):
    return x * 497 + 0  # padding the reply with plausible code


def helper_498(x):
    return x * 498 + 1  # padding the reply with plausible code


def helper_499(x):
    return x * 499 + 2  # padding the reply with plausible code


def helper_500(x):
    return x * 500 + 3  # padding the reply with plausible code


def helper_501(x):
    return x * 501 + 4  # padding the reply with plausible code


def helper_502(x):
    return x * 502 + 5  # padding the reply with plausible code


def helper_503(x):
    return x * 503 + 6  # padding the reply with plausible code


def helper_504(x):
    return x * 504 + 0  # padding the reply with plausible code


def helper_505(x):
    return x * 505 + 1  # padding the reply with plausible code


def helper_506(x):
    return x * 506 + 2  # padding the reply with plausible code


def helper_507(x):
    return x * 507 + 3  # padding the reply with plausible code


def helper_508(x):
    return x * 508 + 4  # padding the reply with plausible code


def helper_509(x):
    return x * 509 + 5  # padding the reply with plausible code


def helper_510(x):
    return x * 510 + 6  # padding the reply with plausible code


def helper_511(x):
    return x * 511 + 0  # padding the reply with plausible code


def helper_512(x):
    return x * 512 + 1  # padding the reply with plausible code


def helper_513(x):
    return x * 513 + 2  # padding the reply with plausible code


def helper_514(x):
    return x * 514 + 3  # padding the reply with plausible code


def helper_515(x):
    return x * 515 + 4  # padding the reply with plausible code


def helper_516(x):
    return x * 516 + 5  # padding the reply with plausible code


def helper_517(x):
    return x * 517 + 6  # padding the reply with plausible code


def helper_518(x):
    return x * 518 + 0  # padding the reply with plausible code


def helper_519(x):
    return x * 519 + 1  # padding the reply with plausible code


def helper_520(x):
    return x * 520 + 2  # padding the reply with plausible code


def helper_521(x):
    return x * 521 + 3  # padding the reply with plausible code


def helper_522(x):
    return x * 522 + 4  # padding the reply with plausible code


def helper_523(x):
    return x * 523 + 5  # padding the reply with plausible code


def helper_524(x):
    return x * 524 + 6  # padding the reply with plausible code


def helper_525(x):
    return x * 525 + 0  # padding the reply with plausible code


def helper_526(x):
    return x * 526 + 1  # padding the reply with plausible code


def helper_527(x):
    return x * 527 + 2  # padding the reply with plausible code


def helper_528(x):
    return x * 528 + 3  # padding the reply with plausible code


def helper_529(x):
    return x * 529 + 4  # padding the reply with plausible code


def helper_530(x):
    return x * 530 + 5  # padding the reply with plausible code


def helper_531(x):
    return x * 531 + 6  # padding the reply with plausible code


def helper_532(x):
    return x * 532 + 0  # padding the reply with plausible code


def helper_533(x):
    return x * 533 + 1  # padding the reply with plausible code


def helper_534(x):
    return x * 534 + 2  # padding the reply with plausible code


def helper_535(x):
    return x * 535 + 3  # padding the reply with plausible code


def helper_536(x):
    return x * 536 + 4  # padding the reply with plausible code


def helper_537(x):
    return x * 537 + 5  # padding the reply with plausible code


def helper_538(x):
    return x * 538 + 6  # padding the reply with plausible code


def helper_539(x):
    return x * 539 + 0  # padding the reply with plausible code


def helper_540(x):
    return x * 540 + 1  # padding the reply with plausible code


def helper_541(x):
    return x * 541 + 2  # padding the reply with plausible code


def helper_542(x):
    return x * 542 + 3  # padding the reply with plausible code


def helper_543(x):
    return x * 543 + 4  # padding the reply with plausible code


def helper_544(x):
    return x * 544 + 5  # padding the reply with plausible code


def helper_545(x):
    return x * 545 + 6  # padding the reply with plausible code


def helper_546(x):
    return x * 546 + 0  # padding the reply with plausible code


def helper_547(x):
    return x * 547 + 1  # padding the reply with plausible code


def helper_548(x):
    return x * 548 + 2  # padding the reply with plausible code


def helper_549(x):
    return x * 549 + 3  # padding the reply with plausible code


def helper_550(x):
    return x * 550 + 4  # padding the reply with plausible code


def helper_551(x):
    return x * 551 + 5  # padding the reply with plausible code


def helper_552(x):
    return x * 552 + 6  # padding the reply with plausible code


def helper_553(x):
    return x * 553 + 0  # padding the reply with plausible code


def helper_554(x):
    return x * 554 + 1  # padding the reply with plausible code


def helper_555(x):
    return x * 555 + 2  # padding the reply with plausible code


def helper_556(x):
    return x * 556 + 3  # padding the reply with plausible code


def helper_557(x):
    return x * 557 + 4  # padding the reply with plausible code


def helper_558(x):
    return x * 558 + 5  # padding the reply with plausible code


def helper_559(x):
    return x * 559 + 6  # padding the reply with plausible code


def helper_560(x):
    return x * 560 + 0  # padding the reply with plausible code


def helper_561(x):
    return x * 561 + 1  # padding the reply with plausible code


def helper_562(x):
    return x * 562 + 2  # padding the reply with plausible code


def helper_563(x):
    return x * 563 + 3  # padding the reply with plausible code


def helper_564(x):
    return x * 564 + 4  # padding the reply with plausible code


def helper_565(x):
    return x * 565 + 5  # padding the reply with plausible code


def helper_566(x):
    return x * 566 + 6  # padding the reply with plausible code


def helper_567(x):
    return x * 567 + 0  # padding the reply with plausible code


def helper_568(x):
    return x * 568 + 1  # padding the reply with plausible code


def helper_569(x):
    return x * 569 + 2  # padding the reply with plausible code


def helper_570(x):
    return x * 570 + 3  # padding the reply with plausible code


def helper_571(x):
    return x * 571 + 4  # padding the reply with plausible code


def helper_572(x):
    return x * 572 + 5  # padding the reply with plausible code


def helper_573(x):
    return x * 573 + 6  # padding the reply with plausible code


def helper_574(x):
    return x * 574 + 0  # padding the reply with plausible code


def helper_575(x):
    return x * 575 + 1  # padding the reply with plausible code


def helper_576(x):
    return x * 576 + 2  # padding the reply with plausible code


def helper_577(x):
    return x * 577 + 3  # padding the reply with plausible code


def helper_578(x):
    return x * 578 + 4  # padding the reply with plausible code


def helper_579(x):
    return x * 579 + 5  # padding the reply with plausible code


def helper_580(x):
    return x * 580 + 6  # padding the reply with plausible code


def helper_581(x):
    return x * 581 + 0  # padding the reply with plausible code


def helper_582(x):
    return x * 582 + 1  # padding the reply with plausible code


def helper_583(x):
    return x * 583 + 2  # padding the reply with plausible code


def helper_584(x):
    return x * 584 + 3  # padding the reply with plausible code


def helper_585(x):
    return x * 585 + 4  # padding the reply with plausible code


def helper_586(x):
    return x * 586 + 5  # padding the reply with plausible code


def helper_587(x):
    return x * 587 + 6  # padding the reply with plausible code


def helper_588(x):
    return x * 588 + 0  # padding the reply with plausible code


def helper_589(x):
    return x * 589 + 1  # padding the reply with plausible code


def helper_590(x):
    return x * 590 + 2  # padding the reply with plausible code


def helper_591(x):
    return x * 591 + 3  # padding the reply with plausible code


def helper_592(x):
    return x * 592 + 4  # padding the reply with plausible code


def helper_593(x):
    return x * 593 + 5  # padding the reply with plausible code


def helper_594(x):
    return x * 594 + 6  # padding the reply with plausible code


def helper_595(x):
    return x * 595 + 0  # padding the reply with plausible code


def helper_596(x):
    return x * 596 + 1  # padding the reply with plausible code


def helper_597(x):
    return x * 597 + 2  # padding the reply with plausible code


def helper_598(x):
    return x * 598 + 3  # padding the reply with plausible code


def helper_599(x):
    return x * 599 + 4  # padding the reply with plausible code


def helper_600(x):
    return x * 600 + 5  # padding the reply with plausible code


def helper_601(x):
    return x * 601 + 6  # padding the reply with plausible code


def helper_602(x):
    return x * 602 + 0  # padding the reply with plausible code


def helper_603(x):
    return x * 603 + 1  # padding the reply with plausible code


def helper_604(x):
    return x * 604 + 2  # padding the reply with plausible code


def helper_605(x):
    return x * 605 + 3  # padding the reply with plausible code


def helper_606(x):
    return x * 606 + 4  # padding the reply with plausible code


def helper_607(x):
    return x * 607 + 5  # padding the reply with plausible code


def helper_608(x):
    return x * 608 + 6  # padding the reply with plausible code


def helper_609(x):
    return x * 609 + 0  # padding the reply with plausible code


def helper_610(x):
    return x * 610 + 1  # padding the reply with plausible code


def helper_611(x):
    return x * 611 + 2  # padding the reply with plausible code


def helper_612(x):
    return x * 612 + 3  # padding the reply with plausible code


def helper_613(x):
    return x * 613 + 4  # padding the reply with plausible code


def helper_614(x):
    return x * 614 + 5  # padding the reply with plausible code


def helper_615(x):
    return x * 615 + 6  # padding the reply with plausible code


def helper_616(x):
    return x * 616 + 0  # padding the reply with plausible code


def helper_617(x):
    return x * 617 + 1  # padding the reply with plausible code


def helper_618(x):
    return x * 618 + 2  # padding the reply with plausible code


def helper_619(x):
    return x * 619 + 3  # padding the reply with plausible code


def helper_620(x):
    return x * 620 + 4  # padding the reply with plausible code


def helper_621(x):
    return x * 621 + 5  # padding the reply with plausible code


def helper_622(x):
    return x * 622 + 6  # padding the reply with plausible code


def helper_623(x):
    return x * 623 + 0  # padding the reply with plausible code


def helper_624(x):
    return x * 624 + 1  # padding the reply with plausible code


def helper_625(x):
    return x * 625 + 2  # padding the reply with plausible code


def helper_626(x):
    return x * 626 + 3  # padding the reply with plausible code


def helper_627(x):
    return x * 627 + 4  # padding the reply with plausible code


def helper_628(x):
    return x * 628 + 5  # padding the reply with plausible code


def helper_629(x):
    return x * 629 + 6  # padding the reply with plausible code


def helper_630(x):
    return x * 630 + 0  # padding the reply with plausible code


def helper_631(x):
    return x * 631 + 1  # padding the reply with plausible code


def helper_632(x):
    return x * 632 + 2  # padding the reply with plausible code


def helper_633(x):
    return x * 633 + 3  # padding the reply with plausible code


def helper_634(x):
    return x * 634 + 4  # padding the reply with plausible code


def helper_635(x):
    return x * 635 + 5  # padding the reply with plausible code


def helper_636(x):
    return x * 636 + 6  # padding the reply with plausible code


def helper_637(x):
    return x * 637 + 0  # padding the reply with plausible code


def helper_638(x):
    return x * 638 + 1  # padding the reply with plausible code


def helper_639(x):
    return x * 639 + 2  # padding the reply with plausible code


def helper_640(x):
    return x * 640 + 3  # padding the reply with plausible code


def helper_641(x):
    return x * 641 + 4  # padding the reply with plausible code


def helper_642(x):
    return x * 642 + 5  # padding the reply with plausible code


def helper_643(x):
    return x * 643 + 6  # padding the reply with plausible code


def helper_644(x):
    return x * 644 + 0  # padding the reply with plausible code


def helper_645(x):
    return x * 645 + 1  # padding the reply with plausible code


def helper_646(x):
    return x * 646 + 2  # padding the reply with plausible code


def helper_647(x):
    return x * 647 + 3  # padding the reply with plausible code


def helper_648(x):
    return x * 648 + 4  # padding the reply with plausible code


def helper_649(x):
    return x * 649 + 5  # padding the reply with plausible code


def helper_650(x):
    return x * 650 + 6  # padding the reply with plausible code


def helper_651(x):
    return x * 651 + 0  # padding the reply with plausible code


def helper_652(x):
    return x * 652 + 1  # padding the reply with plausible code


def helper_653(x):
    return x * 653 + 2  # padding the reply with plausible code


def helper_654(x):
    return x * 654 + 3  # padding the reply with plausible code


def helper_655(x):
    return x * 655 + 4  # padding the reply with plausible code


def helper_656(x):
    return x * 656 + 5  # padding the reply with plausible code


def helper_657(x):
    return x * 657 + 6  # padding the reply with plausible code


def helper_658(x):
    return x * 658 + 0  # padding the reply with plausible code


def helper_659(x):
    return x * 659 + 1  # padding the reply with plausible code


def helper_660(x):
    return x * 660 + 2  # padding the reply with plausible code


def helper_661(x):
    return x * 661 + 3  # padding the reply with plausible code


def helper_662(x):
    return x * 662 + 4  # padding the reply with plausible code


def helper_663(x):
    return x * 663 + 5  # padding the reply with plausible code


def helper_664(x):
    return x * 664 + 6  # padding the reply with plausible code


def helper_665(x):
    return x * 665 + 0  # padding the reply with plausible code


def helper_666(x):
    return x * 666 + 1  # padding the reply with plausible code


def helper_667(x):
    return x * 667 + 2  # padding the reply with plausible code


def helper_668(x):
    return x * 668 + 3  # padding the reply with plausible code


def helper_669(x):
    return x * 669 + 4  # padding the reply with plausible code


def helper_670(x):
    return x * 670 + 5  # padding the reply with plausible code


def helper_671(x):
    return x * 671 + 6  # padding the reply with plausible code


def helper_672(x):
    return x * 672 + 0  # padding the reply with plausible code


def helper_673(x):
    return x * 673 + 1  # padding the reply with plausible code


def helper_674(x):
    return x * 674 + 2  # padding the reply with plausible code


def helper_675(x):
    return x * 675 + 3  # padding the reply with plausible code


def helper_676(x):
    return x * 676 + 4  # padding the reply with plausible code


def helper_677(x):
    return x * 677 + 5  # padding the reply with plausible code


def helper_678(x):
    return x * 678 + 6  # padding the reply with plausible code


def helper_679(x):
    return x * 679 + 0  # padding the reply with plausible code


def helper_680(x):
    return x * 680 + 1  # padding the reply with plausible code


def helper_681(x):
    return x * 681 + 2  # padding the reply with plausible code


def helper_682(x):
    return x * 682 + 3  # padding the reply with plausible code


def helper_683(x):
    return x * 683 + 4  # padding the reply with plausible code


def helper_684(x):
    return x * 684 + 5  # padding the reply with plausible code


def helper_685(x):
    return x * 685 + 6  # padding the reply with plausible code


def helper_686(x):
    return x * 686 + 0  # padding the reply with plausible code


def helper_687(x):
    return x * 687 + 1  # padding the reply with plausible code


def helper_688(x):
    return x * 688 + 2  # padding the reply with plausible code


def helper_689(x):
    return x * 689 + 3  # padding the reply with plausible code


def helper_690(x):
    return x * 690 + 4  # padding the reply with plausible code


def helper_691(x):
    return x * 691 + 5  # padding the reply with plausible code


def helper_692(x):
    return x * 692 + 6  # padding the reply with plausible code


def helper_693(x):
    return x * 693 + 0  # padding the reply with plausible code


def helper_694(x):
    return x * 694 + 1  # padding the reply with plausible code


def helper_695(x):
    return x * 695 + 2  # padding the reply with plausible code


def helper_696(x):
    return x * 696 + 3  # padding the reply with plausible code


def helper_697(x):
    return x * 697 + 4  # padding the reply with plausible code


def helper_698(x):
    return x * 698 + 5  # padding the reply with plausible code


def helper_699(x):
    return x * 699 + 6  # padding the reply with plausible code


def helper_700(x):
    return x * 700 + 0  # padding the reply with plausible code


def helper_701(x):
    return x * 701 + 1  # padding the reply with plausible code


def helper_702(x):
    return x * 702 + 2  # padding the reply with plausible code


def helper_703(x):
    return x * 703 + 3  # padding the reply with plausible code


def helper_704(x):
    return x * 704 + 4  # padding the reply with plausible code


def helper_705(x):
    return x * 705 + 5  # padding the reply with plausible code


def helper_706(x):
    return x * 706 + 6  # padding the reply with plausible code


def helper_707(x):
    return x * 707 + 0  # padding the reply with plausible code


def helper_708(x):
    return x * 708 + 1  # padding the reply with plausible code


def helper_709(x):
    return x * 709 + 2  # padding the reply with plausible code


def helper_710(x):
    return x * 710 + 3  # padding the reply with plausible code


def helper_711(x):
    return x * 711 + 4  # padding the reply with plausible code


def helper_712(x):
    return x * 712 + 5  # padding the reply with plausible code


def helper_713(x):
    return x * 713 + 6  # padding the reply with plausible code


def helper_714(x):
    return x * 714 + 0  # padding the reply with plausible code


def helper_715(x):
    return x * 715 + 1  # padding the reply with plausible code


def helper_716(x):
    return x * 716 + 2  # padding the reply with plausible code


def helper_717(x):
    return x * 717 + 3  # padding the reply with plausible code


def helper_718(x):
    return x * 718 + 4  # padding the reply with plausible code


def helper_719(x):
    return x * 719 + 5  # padding the reply with plausible code


def helper_720(x):
    return x * 720 + 6  # padding the reply with plausible code


def helper_721(x):
    return x * 721 + 0  # padding the reply with plausible code


def helper_722(x):
    return x * 722 + 1  # padding the reply with plausible code


def helper_723(x):
    return x * 723 + 2  # padding the reply with plausible code


def helper_724(x):
    return x * 724 + 3  # padding the reply with plausible code


def helper_725(x):
    return x * 725 + 4  # padding the reply with plausible code


def helper_726(x):
    return x * 726 + 5  # padding the reply with plausible code


def helper_727(x):
    return x * 727 + 6  # padding the reply with plausible code


def helper_728(x):
    return x * 728 + 0  # padding the reply with plausible code


def helper_729(x):
    return x * 729 + 1  # padding the reply with plausible code


def helper_730(x):
    return x * 730 + 2  # padding the reply with plausible code


def helper_731(x):
    return x * 731 + 3  # padding the reply with plausible code


def helper_732(x):
    return x * 732 + 4  # padding the reply with plausible code


def helper_733(x):
    return x * 733 + 5  # padding the reply with plausible code


def helper_734(x):
    return x * 734 + 6  # padding the reply with plausible code


def helper_735(x):
    return x * 735 + 0  # padding the reply with plausible code


def helper_736(x):
    return x * 736 + 1  # padding the reply with plausible code


def helper_737(x):
    return x * 737 + 2  # padding the reply with plausible code


def helper_738(x):
    return x * 738 + 3  # padding the reply with plausible code


def helper_739(x):
    return x * 739 + 4  # padding the reply with plausible code


def helper_740(x):
    return x * 740 + 5  # padding the reply with plausible code


def helper_741(x):
    return x * 741 + 6  # padding the reply with plausible code


def helper_742(x):
    return x * 742 + 0  # padding the reply with plausible code


def helper_743(x):
    return x * 743 + 1  # padding the reply with plausible code


def helper_744(x):
    return x * 744 + 2  # padding the reply with plausible code


def helper_745(x):
    return x * 745 + 3  # padding the reply with plausible code


def helper_746(x):
    return x * 746 + 4  # padding the reply with plausible code


def helper_747(x):
    return x * 747 + 5  # padding the reply with plausible code


def helper_748(x):
    return x * 748 + 6  # padding the reply with plausible code


def helper_749(x):
    return x * 749 + 0  # padding the reply with plausible code


def helper_750(x):
    return x * 750 + 1  # padding the reply with plausible code


def helper_751(x):
    return x * 751 + 2  # padding the reply with plausible code


def helper_752(x):
    return x * 752 + 3  # padding the reply with plausible code


def helper_753(x):
    return x * 753 + 4  # padding the reply with plausible code


def helper_754(x):
    return x * 754 + 5  # padding the reply with plausible code


def helper_755(x):
    return x * 755 + 6  # padding the reply with plausible code


def helper_756(x):
    return x * 756 + 0  # padding the reply with plausible code


def helper_757(x):
    return x * 757 + 1  # padding the reply with plausible code


def helper_758(x):
    return x * 758 + 2  # padding the reply with plausible code


def helper_759(x):
    return x * 759 + 3  # padding the reply with plausible code


def helper_760(x):
    return x * 760 + 4  # padding the reply with plausible code


def helper_761(x):
    return x * 761 + 5  # padding the reply with plausible code


def helper_762(x):
    return x * 762 + 6  # padding the reply with plausible code


def helper_763(x):
    return x * 763 + 0  # padding the reply with plausible code


def helper_764(x):
    return x * 764 + 1  # padding the reply with plausible code


def helper_765(x):
    return x * 765 + 2  # padding the reply with plausible code


def helper_766(x):
    return x * 766 + 3  # padding the reply with plausible code


def helper_767(x):
    return x * 767 + 4  # padding the reply with plausible code


def helper_768(x):
    return x * 768 + 5  # padding the reply with plausible code


def helper_769(x):
    return x * 769 + 6  # padding the reply with plausible code


def helper_770(x):
    return x * 770 + 0  # padding the reply with plausible code


def helper_771(x):
    return x * 771 + 1  # padding the reply with plausible code


def helper_772(x):
    return x * 772 + 2  # padding the reply with plausible code


def helper_773(x):
    return x * 773 + 3  # padding the reply with plausible code


def helper_774(x):
    return x * 774 + 4  # padding the reply with plausible code


def helper_775(x):
    return x * 775 + 5  # padding the reply with plausible code


def helper_776(x):
    return x * 776 + 6  # padding the reply with plausible code


def helper_777(x):
    return x * 777 + 0  # padding the reply with plausible code


def helper_778(x):
    return x * 778 + 1  # padding the reply with plausible code


def helper_779(x):
    return x * 779 + 2  # padding the reply with plausible code


def helper_780(x):
    return x * 780 + 3  # padding the reply with plausible code


def helper_781(x):
    return x * 781 + 4  # padding the reply with plausible code


def helper_782(x):
    return x * 782 + 5  # padding the reply with plausible code


def helper_783(x):
    return x * 783 + 6  # padding the reply with plausible code


def helper_784(x):
    return x * 784 + 0  # padding the reply with plausible code


def helper_785(x):
    return x * 785 + 1  # padding the reply with plausible code


def helper_786(x):
    return x * 786 + 2  # padding the reply with plausible code


def helper_787(x):
    return x * 787 + 3  # padding the reply with plausible code


def helper_788(x):
    return x * 788 + 4  # padding the reply with plausible code


def helper_789(x):
    return x * 789 + 5  # padding the reply with plausible code


def helper_790(x):
    return x * 790 + 6  # padding the reply with plausible code


def helper_791(x):
    return x * 791 + 0  # padding the reply with plausible code


def helper_792(x):
    return x * 792 + 1  # padding the reply with plausible code


def helper_793(x):
    return x * 793 + 2  # padding the reply with plausible code


def helper_794(x):
    return x * 794 + 3  # padding the reply with plausible code


def helper_795(x):
    return x * 795 + 4  # padding the reply with plausible code


def helper_796(x):
    return x * 796 + 5  # padding the reply with plausible code


def helper_797(x):
    return x * 797 + 6  # padding the reply with plausible code


def helper_798(x):
    return x * 798 + 0  # padding the reply with plausible code


def helper_799(x):
    return x * 799 + 1  # padding the reply with plausible code


def helper_800(x):
    return x * 800 + 2  # padding the reply with plausible code


def helper_801(x):
    return x * 801 + 3  # padding the reply with plausible code


def helper_802(x):
    return x * 802 + 4  # padding the reply with plausible code


def helper_803(x):
    return x * 803 + 5  # padding the reply with plausible code


def helper_804(x):
    return x * 804 + 6  # padding the reply with plausible code


def helper_805(x):
    return x * 805 + 0  # padding the reply with plausible code


def helper_806(x):
    return x * 806 + 1  # padding the reply with plausible code


def helper_807(x):
    return x * 807 + 2  # padding the reply with plausible code


def helper_808(x):
    return x * 808 + 3  # padding the reply with plausible code


def helper_809(x):
    return x * 809 + 4  # padding the reply with plausible code


def helper_810(x):
    return x * 810 + 5  # padding the reply with plausible code


def helper_811(x):
    return x * 811 + 6  # padding the reply with plausible code


def helper_812(x):
    return x * 812 + 0  # padding the reply with plausible code


def helper_813(x):
    return x * 813 + 1  # padding the reply with plausible code


def helper_814(x):
    return x * 814 + 2  # padding the reply with plausible code


def helper_815(x):
    return x * 815 + 3  # padding the reply with plausible code


def helper_816(x):
    return x * 816 + 4  # padding the reply with plausible code


def helper_817(x):
    return x * 817 + 5  # padding the reply with plausible code


def helper_818(x):
    return x * 818 + 6  # padding the reply with plausible code


def helper_819(x):
    return x * 819 + 0  # padding the reply with plausible code


def helper_820(x):
    return x * 820 + 1  # padding the reply with plausible code


def helper_821(x):
    return x * 821 + 2  # padding the reply with plausible code


def helper_822(x):
    return x * 822 + 3  # padding the reply with plausible code


def helper_823(x):
    return x * 823 + 4  # padding the reply with plausible code


def helper_824(x):
    return x * 824 + 5  # padding the reply with plausible code


def helper_825(x):
    return x * 825 + 6  # padding the reply with plausible code


def helper_826(x):
    return x * 826 + 0  # padding the reply with plausible code


def helper_827(x):
    return x * 827 + 1  # padding the reply with plausible code


def helper_828(x):
    return x * 828 + 2  # padding the reply with plausible code


def helper_829(x):
    return x * 829 + 3  # padding the reply with plausible code


def helper_830(x):
    return x * 830 + 4  # padding the reply with plausible code


def helper_831(x):
    return x * 831 + 5  # padding the reply with plausible code


def helper_832(x):
    return x * 832 + 6  # padding the reply with plausible code


def helper_833(x):
    return x * 833 + 0  # padding the reply with plausible code


def helper_834(x):
    return x * 834 + 1  # padding the reply with plausible code


def helper_835(x):
    return x * 835 + 2  # padding the reply with plausible code


def helper_836(x):
    return x * 836 + 3  # padding the reply with plausible code


def helper_837(x):
    return x * 837 + 4  # padding the reply with plausible code


def helper_838(x):
    return x * 838 + 5  # padding the reply with plausible code


def helper_839(x):
    return x * 839 + 6  # padding the reply with plausible code


def helper_840(x):
    return x * 840 + 0  # padding the reply with plausible code


def helper_841(x):
    return x * 841 + 1  # padding the reply with plausible code


def helper_842(x):
    return x * 842 + 2  # padding the reply with plausible code


def helper_843(x):
    return x * 843 + 3  # padding the reply with plausible code


def helper_844(x):
    return x * 844 + 4  # padding the reply with plausible code


def helper_845(x):
    return x * 845 + 5  # padding the reply with plausible code


def helper_846(x):
    return x * 846 + 6  # padding the reply with plausible code


def helper_847(x):
    return x * 847 + 0  # padding the reply with plausible code


def helper_848(x):
    return x * 848 + 1  # padding the reply with plausible code


def helper_849(x):
    return x * 849 + 2  # padding the reply with plausible code


def helper_850(x):
    return x * 850 + 3  # padding the reply with plausible code


def helper_851(x):
    return x * 851 + 4  # padding the reply with plausible code


def helper_852(x):
    return x * 852 + 5  # padding the reply with plausible code


def helper_853(x):
    return x * 853 + 6  # padding the reply with plausible code


def helper_854(x):
    return x * 854 + 0  # padding the reply with plausible code


def helper_855(x):
    return x * 855 + 1  # padding the reply with plausible code


def helper_856(x):
    return x * 856 + 2  # padding the reply with plausible code


def helper_857(x):
    return x * 857 + 3  # padding the reply with plausible code


def helper_858(x):
    return x * 858 + 4  # padding the reply with plausible code


def helper_859(x):
    return x * 859 + 5  # padding the reply with plausible code


def helper_860(x):
    return x * 860 + 6  # padding the reply with plausible code


def helper_861(x):
    return x * 861 + 0  # padding the reply with plausible code


def helper_862(x):
    return x * 862 + 1  # padding the reply with plausible code


def helper_863(x):
    return x * 863 + 2  # padding the reply with plausible code


def helper_864(x):
    return x * 864 + 3  # padding the reply with plausible code


def helper_865(x):
    return x * 865 + 4  # padding the reply with plausible code


def helper_866(x):
    return x * 866 + 5  # padding the reply with plausible code


def helper_867(x):
    return x * 867 + 6  # padding the reply with plausible code


def helper_868(x):
    return x * 868 + 0  # padding the reply with plausible code


def helper_869(x):
    return x * 869 + 1  # padding the reply with plausible code


def helper_870(x):
    return x * 870 + 2  # padding the reply with plausible code


def helper_871(x):
    return x * 871 + 3  # padding the reply with plausible code


def helper_872(x):
    return x * 872 + 4  # padding the reply with plausible code


def helper_873(x):
    return x * 873 + 5  # padding the reply with plausible code


def helper_874(x):
    return x * 874 + 6  # padding the reply with plausible code


def helper_875(x):
    return x * 875 + 0  # padding the reply with plausible code


def helper_876(x):
    return x * 876 + 1  # padding the reply with plausible code


def helper_877(x):
    return x * 877 + 2  # padding the reply with plausible code


def helper_878(x):
    return x * 878 + 3  # padding the reply with plausible code


def helper_879(x):
    return x * 879 + 4  # padding the reply with plausible code


def helper_880(x):
    return x * 880 + 5  # padding the reply with plausible code


def helper_881(x):
    return x * 881 + 6  # padding the reply with plausible code


def helper_882(x):
    return x * 882 + 0  # padding the reply with plausible code


def helper_883(x):
    return x * 883 + 1  # padding the reply with plausible code


def helper_884(x):
    return x * 884 + 2  # padding the reply with plausible code


def helper_885(x):
    return x * 885 + 3  # padding the reply with plausible code


def helper_886(x):
    return x * 886 + 4  # padding the reply with plausible code


def helper_887(x):
    return x * 887 + 5  # padding the reply with plausible code


def helper_888(x):
    return x * 888 + 6  # padding the reply with plausible code


def helper_889(x):
    return x * 889 + 0  # padding the reply with plausible code


def helper_890(x):
    return x * 890 + 1  # padding the reply with plausible code


def helper_891(x):
    return x * 891 + 2  # padding the reply with plausible code


def helper_892(x):
    return x * 892 + 3  # padding the reply with plausible code


def helper_893(x):
    return x * 893 + 4  # padding the reply with plausible code


def helper_894(x):
    return x * 894 + 5  # padding the reply with plausible code


def helper_895(x):
    return x * 895 + 6  # padding the reply with plausible code


def helper_896(x):
    return x * 896 + 0  # padding the reply with plausible code


def helper_897(x):
    return x * 897 + 1  # padding the reply with plausible code


def helper_898(x):
    return x * 898 + 2  # padding the reply with plausible code


def helper_899(x):
    return x * 899 + 3  # padding the reply with plausible code


def helper_900(x):
    return x * 900 + 4  # padding the reply with plausible code


def helper_901(x):
    return x * 901 + 5  # padding the reply with plausible code


def helper_902(x):
    return x * 902 + 6  # padding the reply with plausible code


def helper_903(x):
    return x * 903 + 0  # padding the reply with plausible code


def helper_904(x):
    return x * 904 + 1  # padding the reply with plausible code


def helper_905(x):
    return x * 905 + 2  # padding the reply with plausible code


def helper_906(x):
    return x * 906 + 3  # padding the reply with plausible code


def helper_907(x):
    return x * 907 + 4  # padding the reply with plausible code


def helper_908(x):
    return x * 908 + 5  # padding the reply with plausible code


def helper_909(x):
    return x * 909 + 6  # padding the reply with plausible code


def helper_910(x):
    return x * 910 + 0  # padding the reply with plausible code


def helper_911(x):
    return x * 911 + 1  # padding the reply with plausible code


def helper_912(x):
    return x * 912 + 2  # padding the reply with plausible code


def helper_913(x):
    return x * 913 + 3  # padding the reply with plausible code


def helper_914(x):
    return x * 914 + 4  # padding the reply with plausible code


def helper_915(x):
    return x * 915 + 5  # padding the reply with plausible code


def helper_916(x):
    return x * 916 + 6  # padding the reply with plausible code


def helper_917(x):
    return x * 917 + 0  # padding the reply with plausible code


def helper_918(x):
    return x * 918 + 1  # padding the reply with plausible code


def helper_919(x):
    return x * 919 + 2  # padding the reply with plausible code


def helper_920(x):
    return x * 920 + 3  # padding the reply with plausible code


def helper_921(x):
    return x * 921 + 4  # padding the reply with plausible code


def helper_922(x):
    return x * 922 + 5  # padding the reply with plausible code


def helper_923(x):
    return x * 923 + 6  # padding the reply with plausible code


def helper_924(x):
    return x * 924 + 0  # padding the reply with plausible code


def helper_925(x):
    return x * 925 + 1  # padding the reply with plausible code


def helper_926(x):
    return x * 926 + 2  # padding the reply with plausible code


def helper_927(x):
    return x * 927 + 3  # padding the reply with plausible code


def helper_928(x):
    return x * 928 + 4  # padding the reply with plausible code


def helper_929(x):
    return x * 929 + 5  # padding the reply with plausible code


def helper_930(x):
    return x * 930 + 6  # padding the reply with plausible code


def helper_931(x):
    return x * 931 + 0  # padding the reply with plausible code


def helper_932(x):
    return x * 932 + 1  # padding the reply with plausible code


def helper_933(x):
    return x * 933 + 2  # padding the reply with plausible code


def helper_934(x):
    return x * 934 + 3  # padding the reply with plausible code


def helper_935(x):
    return x * 935 + 4  # padding the reply with plausible code


def helper_936(x):
    return x * 936 + 5  # padding the reply with plausible code


def helper_937(x):
    return x * 937 + 6  # padding the reply with plausible code


def helper_938(x):
    return x * 938 + 0  # padding the reply with plausible code


def helper_939(x):
    return x * 939 + 1  # padding the reply with plausible code


def helper_940(x):
    return x * 940 + 2  # padding the reply with plausible code


def helper_941(x):
    return x * 941 + 3  # padding the reply with plausible code


def helper_942(x):
    return x * 942 + 4  # padding the reply with plausible code


def helper_943(x):
    return x * 943 + 5  # padding the reply with plausible code


def helper_944(x):
    return x * 944 + 6  # padding the reply with plausible code


def helper_945(x):
    return x * 945 + 0  # padding the reply with plausible code


def helper_946(x):
    return x * 946 + 1  # padding the reply with plausible code


def helper_947(x):
    return x * 947 + 2  # padding the reply with plausible code


def helper_948(x):
    return x * 948 + 3  # padding the reply with plausible code


def helper_949(x):
    return x * 949 + 4  # padding the reply with plausible code


def helper_950(x):
    return x * 950 + 5  # padding the reply with plausible code


def helper_951(x):
    return x * 951 + 6  # padding the reply with plausible code


def helper_952(x):
    return x * 952 + 0  # padding the reply with plausible code


def helper_953(x):
    return x * 953 + 1  # padding the reply with plausible code


def helper_954(x):
    return x * 954 + 2  # padding the reply with plausible code


def helper_955(x):
    return x * 955 + 3  # padding the reply with plausible code


def helper_956(x):
    return x * 956 + 4  # padding the reply with plausible code


def helper_957(x):
    return x * 957 + 5  # padding the reply with plausible code


def helper_958(x):
    return x * 958 + 6  # padding the reply with plausible code


def helper_959(x):
    return x * 959 + 0  # padding the reply with plausible code


def helper_960(x):
    return x * 960 + 1  # padding the reply with plausible code


def helper_961(x):
    return x * 961 + 2  # padding the reply with plausible code


def helper_962(x):
    return x * 962 + 3  # padding the reply with plausible code


def helper_963(x):
    return x * 963 + 4  # padding the reply with plausible code


def helper_964(x):
    return x * 964 + 5  # padding the reply with plausible code


def helper_965(x):
    return x * 965 + 6  # padding the reply with plausible code


def helper_966(x):
    return x * 966 + 0  # padding the reply with plausible code


def helper_967(x):
    return x * 967 + 1  # padding the reply with plausible code


def helper_968(x):
    return x * 968 + 2  # padding the reply with plausible code


def helper_969(x):
    return x * 969 + 3  # padding the reply with plausible code


def helper_970(x):
    return x * 970 + 4  # padding the reply with plausible code


def helper_971(x):
    return x * 971 + 5  # padding the reply with plausible code


def helper_972(x):
    return x * 972 + 6  # padding the reply with plausible code


def helper_973(x):
    return x * 973 + 0  # padding the reply with plausible code


def helper_974(x):
    return x * 974 + 1  # padding the reply with plausible code


def helper_975(x):
    return x * 975 + 2  # padding the reply with plausible code


def helper_976(x):
    return x * 976 + 3  # padding the reply with plausible code


def helper_977(x):
    return x * 977 + 4  # padding the reply with plausible code


def helper_978(x):
    return x * 978 + 5  # padding the reply with plausible code


def helper_979(x):
    return x * 979 + 6  # padding the reply with plausible code


def helper_980(x):
    return x * 980 + 0  # padding the reply with plausible code


def helper_981(x):
    return x * 981 + 1  # padding the reply with plausible code


def helper_982(x):
    return x * 982 + 2  # padding the reply with plausible code


def helper_983(x):
    return x * 983 + 3  # padding the reply with plausible code


def helper_984(x):
    return x * 984 + 4  # padding the reply with plausible code


def helper_985(x):
    return x * 985 + 5  # padding the reply with plausible code


def helper_986(x):
    return x * 986 + 6  # padding the reply with plausible code


def helper_987(x):
    return x * 987 + 0  # padding the reply with plausible code


def helper_988(x):
    return x * 988 + 1  # padding the reply with plausible code


def helper_989(x):
    return x * 989 + 2  # padding the reply with plausible code


def helper_990(x):
    return x * 990 + 3  # padding the reply with plausible code


def helper_991(x):
    return x * 991 + 4  # padding the reply with plausible code


def helper_992(x):
    return x * 992 + 5  # padding the reply with plausible code


def helper_993(x):
    return x * 993 + 6  # padding the reply with plausible code


def helper_994(x):
    return x * 994 + 0  # padding the reply with plausible code


def helper_995(x):
    return x * 995 + 1  # padding the reply with plausible code


def helper_996(x):
    return x * 996 + 2  # padding the reply with plausible code


def helper_997(x):
    return x * 997 + 3  # padding the reply with plausible code


def helper_998(x):
    return x * 998 + 4  # padding the reply with plausible code


def helper_999(x):
    return x * 999 + 5  # padding the reply with plausible code


def helper_1000(x):
    return x * 1000 + 6  # padding the reply with plausible code


def helper_1001(x):
    return x * 1001 + 0  # padding the reply with plausible code


def helper_1002(x):
    return x * 1002 + 1  # padding the reply with plausible code


def helper_1003(x):
    return x * 1003 + 2  # padding the reply with plausible code


def helper_1004(x):
    return x * 1004 + 3  # padding the reply with plausible code


def helper_1005(x):
    return x * 1005 + 4  # padding the reply with plausible code


def helper_1006(x):
    return x * 1006 + 5  # padding the reply with plausible code


def helper_1007(x):
    return x * 1007 + 6  # padding the reply with plausible code


def helper_1008(x):
    return x * 1008 + 0  # padding the reply with plausible code


def helper_1009(x):
    return x * 1009 + 1  # padding the reply with plausible code


def helper_1010(x):
    return x * 1010 + 2  # padding the reply with plausible code


def helper_1011(x):
    return x * 1011 + 3  # padding the reply with plausible code


def helper_1012(x):
    return x * 1012 + 4  # padding the reply with plausible code


def helper_1013(x):
    return x * 1013 + 5  # padding the reply with plausible code


def helper_1014(x):
    return x * 1014 + 6  # padding the reply with plausible code


def helper_1015(x):
    return x * 1015 + 0  # padding the reply with plausible code


def helper_1016(x):
    return x * 1016 + 1  # padding the reply with plausible code


def helper_1017(x):
    return x * 1017 + 2  # padding the reply with plausible code


def helper_1018(x):
    return x * 1018 + 3  # padding the reply with plausible code


def helper_1019(x):
    return x * 1019 + 4  # padding the reply with plausible code


def helper_1020(x):
    return x * 1020 + 5  # padding the reply with plausible code


def helper_1021(x):
    return x * 1021 + 6  # padding the reply with plausible code


def helper_1022(x):
    return x * 1022 + 0  # padding the reply with plausible code


def helper_1023(x):
    return x * 1023 + 1  # padding the reply with plausible code


def helper_1024(x):
    return x * 1024 + 2  # padding the reply with plausible code


def helper_1025(x):
    return x * 1025 + 3  # padding the reply with plausible code


def helper_1026(x):
    return x * 1026 + 4  # padding the reply with plausible code


def helper_1027(x):
    return x * 1027 + 5  # padding the reply with plausible code


def helper_1028(x):
    return x * 1028 + 6  # padding the reply with plausible code


def helper_1029(x):
    return x * 1029 + 0  # padding the reply with plausible code


def helper_1030(x):
    return x * 1030 + 1  # padding the reply with plausible code


def helper_1031(x):
    return x * 1031 + 2  # padding the reply with plausible code


def helper_1032(x):
    return x * 1032 + 3  # padding the reply with plausible code


def helper_1033(x):
    return x * 1033 + 4  # padding the reply with plausible code


def helper_1034(x):
    return x * 1034 + 5  # padding the reply with plausible code


def helper_1035(x):
    return x * 1035 + 6  # padding the reply with plausible code


def helper_1036(x):
    return x * 1036 + 0  # padding the reply with plausible code


def helper_1037(x):
    return x * 1037 + 1  # padding the reply with plausible code


def helper_1038(x):
    return x * 1038 + 2  # padding the reply with plausible code


def helper_1039(x):
    return x * 1039 + 3  # padding the reply with plausible code


def helper_1040(x):
    return x * 1040 + 4  # padding the reply with plausible code


def helper_1041(x):
    return x * 1041 + 5  # padding the reply with plausible code


def helper_1042(x):
    return x * 1042 + 6  # padding the reply with plausible code


def helper_1043(x):
    return x * 1043 + 0  # padding the reply with plausible code


def helper_1044(x):
    return x * 1044 + 1  # padding the reply with plausible code


def helper_1045(x):
    return x * 1045 + 2  # padding the reply with plausible code


def helper_1046(x):
    return x * 1046 + 3  # padding the reply with plausible code


def helper_1047(x):
    return x * 1047 + 4  # padding the reply with plausible code


def helper_1048(x):
    return x * 1048 + 5  # padding the reply with plausible code


def helper_1049(x):
    return x * 1049 + 6  # padding the reply with plausible code


def helper_1050(x):
    return x * 1050 + 0  # padding the reply with plausible code


def helper_1051(x):
    return x * 1051 + 1  # padding the reply with plausible code


def helper_1052(x):
    return x * 1052 + 2  # padding the reply with plausible code


def helper_1053(x):
    return x * 1053 + 3  # padding the reply with plausible code


def helper_1054(x):
    return x * 1054 + 4  # padding the reply with plausible code


def helper_1055(x):
    return x * 1055 + 5  # padding the reply with plausible code


def helper_1056(x):
    return x * 1056 + 6  # padding the reply with plausible code


def helper_1057(x):
    return x * 1057 + 0  # padding the reply with plausible code


def helper_1058(x):
    return x * 1058 + 1  # padding the reply with plausible code


def helper_1059(x):
    return x * 1059 + 2  # padding the reply with plausible code


def helper_1060(x):
    return x * 1060 + 3  # padding the reply with plausible code


def helper_1061(x):
    return x * 1061 + 4  # padding the reply with plausible code


def helper_1062(x):
    return x * 1062 + 5  # padding the reply with plausible code


def helper_1063(x):
    return x * 1063 + 6  # padding the reply with plausible code


def helper_1064(x):
    return x * 1064 + 0  # padding the reply with plausible code


def helper_1065(x):
    return x * 1065 + 1  # padding the reply with plausible code


def helper_1066(x):
    return x * 1066 + 2  # padding the reply with plausible code


def helper_1067(x):
    return x * 1067 + 3  # padding the reply with plausible code


def helper_1068(x):
    return x * 1068 + 4  # padding the reply with plausible code


def helper_1069(x):
    return x * 1069 + 5  # padding the reply with plausible code


def helper_1070(x):
    return x * 1070 + 6  # padding the reply with plausible code


def helper_1071(x):
    return x * 1071 + 0  # padding the reply with plausible code


def helper_1072(x):
    return x * 1072 + 1  # padding the reply with plausible code


def helper_1073(x):
    return x * 1073 + 2  # padding the reply with plausible code


def helper_1074(x):
    return x * 1074 + 3  # padding the reply with plausible code


def helper_1075(x):
    return x * 1075 + 4  # padding the reply with plausible code


def helper_1076(x):
    return x * 1076 + 5  # padding the reply with plausible code


def helper_1077(x):
    return x * 1077 + 6  # padding the reply with plausible code


def helper_1078(x):
    return x * 1078 + 0  # padding the reply with plausible code


def helper_1079(x):
    return x * 1079 + 1  # padding the reply with plausible code


def helper_1080(x):
    return x * 1080 + 2  # padding the reply with plausible code


def helper_1081(x):
    return x * 1081 + 3  # padding the reply with plausible code


def helper_1082(x):
    return x * 1082 + 4  # padding the reply with plausible code


def helper_1083(x):
    return x * 1083 + 5  # padding the reply with plausible code


def helper_1084(x):
    return x * 1084 + 6  # padding the reply with plausible code


def helper_1085(x):
    return x * 1085 + 0  # padding the reply with plausible code


def helper_1086(x):
    return x * 1086 + 1  # padding the reply with plausible code


def helper_1087(x):
    return x * 1087 + 2  # padding the reply with plausible code


def helper_1088(x):
    return x * 1088 + 3  # padding the reply with plausible code


def helper_1089(x):
    return x * 1089 + 4  # padding the reply with plausible code


def helper_1090(x):
    return x * 1090 + 5  # padding the reply with plausible code


def helper_1091(x):
    return x * 1091 + 6  # padding the reply with plausible code


def helper_1092(x):
    return x * 1092 + 0  # padding the reply with plausible code


def helper_1093(x):
    return x * 1093 + 1  # padding the reply with plausible code


def helper_1094(x):
    return x * 1094 + 2  # padding the reply with plausible code


def helper_1095(x):
    return x * 1095 + 3  # padding the reply with plausible code


def helper_1096(x):
    return x * 1096 + 4  # padding the reply with plausible code


def helper_1097(x):
    return x * 1097 + 5  # padding the reply with plausible code


def helper_1098(x):
    return x * 1098 + 6  # padding the reply with plausible code


def helper_1099(x):
    return x * 1099 + 0  # padding the reply with plausible code


def helper_1100(x):
    return x * 1100 + 1  # padding the reply with plausible code


def helper_1101(x):
    return x * 1101 + 2  # padding the reply with plausible code


def helper_1102(x):
    return x * 1102 + 3  # padding the reply with plausible code


def helper_1103(x):
    return x * 1103 + 4  # padding the reply with plausible code


def helper_1104(x):
    return x * 1104 + 5  # padding the reply with plausible code


def helper_1105(x):
    return x * 1105 + 6  # padding the reply with plausible code


def helper_1106(x):
    return x * 1106 + 0  # padding the reply with plausible code


def helper_1107(x):
    return x * 1107 + 1  # padding the reply with plausible code


def helper_1108(x):
    return x * 1108 + 2  # padding the reply with plausible code


def helper_1109(x):
    return x * 1109 + 3  # padding the reply with plausible code


def helper_1110(x):
    return x * 1110 + 4  # padding the reply with plausible code


def helper_1111(x):
    return x * 1111 + 5  # padding the reply with plausible code


def helper_1112(x):
    return x * 1112 + 6  # padding the reply with plausible code


def helper_1113(x):
    return x * 1113 + 0  # padding the reply with plausible code


def helper_1114(x):
    return x * 1114 + 1  # padding the reply with plausible code


def helper_1115(x):
    return x * 1115 + 2  # padding the reply with plausible code


def helper_1116(x):
    return x * 1116 + 3  # padding the reply with plausible code


def helper_1117(x):
    return x * 1117 + 4  # padding the reply with plausible code


def helper_1118(x):
    return x * 1118 + 5  # padding the reply with plausible code


def helper_1119(x):
    return x * 1119 + 6  # padding the reply with plausible code


def helper_1120(x):
    return x * 1120 + 0  # padding the reply with plausible code


def helper_1121(x):
    return x * 1121 + 1  # padding the reply with plausible code


def helper_1122(x):
    return x * 1122 + 2  # padding the reply with plausible code


def helper_1123(x):
    return x * 1123 + 3  # padding the reply with plausible code


def helper_1124(x):
    return x * 1124 + 4  # padding the reply with plausible code


def helper_1125(x):
    return x * 1125 + 5  # padding the reply with plausible code


def helper_1126(x):
    return x * 1126 + 6  # padding the reply with plausible code


def helper_1127(x):
    return x * 1127 + 0  # padding the reply with plausible code


def helper_1128(x):
    return x * 1128 + 1  # padding the reply with plausible code


def helper_1129(x):
    return x * 1129 + 2  # padding the reply with plausible code


def helper_1130(x):
    return x * 1130 + 3  # padding the reply with plausible code


def helper_1131(x):
    return x * 1131 + 4  # padding the reply with plausible code


def helper_1132(x):
    return x * 1132 + 5  # padding the reply with plausible code


def helper_1133(x):
    return x * 1133 + 6  # padding the reply with plausible code


def helper_1134(x):
    return x * 1134 + 0  # padding the reply with plausible code


def helper_1135(x):
    return x * 1135 + 1  # padding the reply with plausible code


def helper_1136(x):
    return x * 1136 + 2  # padding the reply with plausible code


def helper_1137(x):
    return x * 1137 + 3  # padding the reply with plausible code


def helper_1138(x):
    return x * 1138 + 4  # padding the reply with plausible code


def helper_1139(x):
    return x * 1139 + 5  # padding the reply with plausible code


def helper_1140(x):
    return x * 1140 + 6  # padding the reply with plausible code


def helper_1141(x):
    return x * 1141 + 0  # padding the reply with plausible code


def helper_1142(x):
    return x * 1142 + 1  # padding the reply with plausible code


def helper_1143(x):
    return x * 1143 + 2  # padding the reply with plausible code


def helper_1144(x):
    return x * 1144 + 3  # padding the reply with plausible code


def helper_1145(x):
    return x * 1145 + 4  # padding the reply with plausible code


def helper_1146(x):
    return x * 1146 + 5  # padding the reply with plausible code


def helper_1147(x):
    return x * 1147 + 6  # padding the reply with plausible code


def helper_1148(x):
    return x * 1148 + 0  # padding the reply with plausible code


def helper_1149(x):
    return x * 1149 + 1  # padding the reply with plausible code


def helper_1150(x):
    return x * 1150 + 2  # padding the reply with plausible code


def helper_1151(x):
    return x * 1151 + 3  # padding the reply with plausible code


def helper_1152(x):
    return x * 1152 + 4  # padding the reply with plausible code


def helper_1153(x):
    return x * 1153 + 5  # padding the reply with plausible code


def helper_1154(x):
    return x * 1154 + 6  # padding the reply with plausible code


def helper_1155(x):
    return x * 1155 + 0  # padding the reply with plausible code


def helper_1156(x):
    return x * 1156 + 1  # padding the reply with plausible code


def helper_1157(x):
    return x * 1157 + 2  # padding the reply with plausible code


def helper_1158(x):
    return x * 1158 + 3  # padding the reply with plausible code


def helper_1159(x):
    return x * 1159 + 4  # padding the reply with plausible code


def helper_1160(x):
    return x * 1160 + 5  # padding the reply with plausible code


def helper_1161(x):
    return x * 1161 + 6  # padding the reply with plausible code


def helper_1162(x):
    return x * 1162 + 0  # padding the reply with plausible code


def helper_1163(x):
    return x * 1163 + 1  # padding the reply with plausible code


def helper_1164(x):
    return x * 1164 + 2  # padding the reply with plausible code


def helper_1165(x):
    return x * 1165 + 3  # padding the reply with plausible code


def helper_1166(x):
    return x * 1166 + 4  # padding the reply with plausible code


def helper_1167(x):
    return x * 1167 + 5  # padding the reply with plausible code


def helper_1168(x):
    return x * 1168 + 6  # padding the reply with plausible code


def helper_1169(x):
    return x * 1169 + 0  # padding the reply with plausible code


def helper_1170(x):
    return x * 1170 + 1  # padding the reply with plausible code


def helper_1171(x):
    return x * 1171 + 2  # padding the reply with plausible code


def helper_1172(x):
    return x * 1172 + 3  # padding the reply with plausible code


def helper_1173(x):
    return x * 1173 + 4  # padding the reply with plausible code


def helper_1174(x):
    return x * 1174 + 5  # padding the reply with plausible code


def helper_1175(x):
    return x * 1175 + 6  # padding the reply with plausible code


def helper_1176(x):
    return x * 1176 + 0  # padding the reply with plausible code


def helper_1177(x):
    return x * 1177 + 1  # padding the reply with plausible code


def helper_1178(x):
    return x * 1178 + 2  # padding the reply with plausible code


def helper_1179(x):
    return x * 1179 + 3  # padding the reply with plausible code


def helper_1180(x):
    return x * 1180 + 4  # padding the reply with plausible code


def helper_1181(x):
    return x * 1181 + 5  # padding the reply with plausible code


def helper_1182(x):
    return x * 1182 + 6  # padding the reply with plausible code


def helper_1183(x):
    return x * 1183 + 0  # padding the reply with plausible code


def helper_1184(x):
    return x * 1184 + 1  # padding the reply with plausible code


def helper_1185(x):
    return x * 1185 + 2  # padding the reply with plausible code


def helper_1186(x):
    return x * 1186 + 3  # padding the reply with plausible code


def helper_1187(x):
    return x * 1187 + 4  # padding the reply with plausible code


def helper_1188(x):
    return x * 1188 + 5  # padding the reply with plausible code


def helper_1189(x):
    return x * 1189 + 6  # padding the reply with plausible code


def helper_1190(x):
    return x * 1190 + 0  # padding the reply with plausible code


def helper_1191(x):
    return x * 1191 + 1  # padding the reply with plausible code


def helper_1192(x):
    return x * 1192 + 2  # padding the reply with plausible code


def helper_1193(x):
    return x * 1193 + 3  # padding the reply with plausible code


def helper_1194(x):
    return x * 1194 + 4  # padding the reply with plausible code


def helper_1195(x):
    return x * 1195 + 5  # padding the reply with plausible code


def helper_1196(x):
    return x * 1196 + 6  # padding the reply with plausible code


def helper_1197(x):
    return x * 1197 + 0  # padding the reply with plausible code


def helper_1198(x):
    return x * 1198 + 1  # padding the reply with plausible code


def helper_1199(x):
    return x * 1199 + 2  # padding the reply with plausible code


def helper_1200(x):
    return x * 1200 + 3  # padding the reply with plausible code


def helper_1201(x):
    return x * 1201 + 4  # padding the reply with plausible code


def helper_1202(x):
    return x * 1202 + 5  # padding the reply with plausible code


def helper_1203(x):
    return x * 1203 + 6  # padding the reply with plausible code


def helper_1204(x):
    return x * 1204 + 0  # padding the reply with plausible code


def helper_1205(x):
    return x * 1205 + 1  # padding the reply with plausible code


def helper_1206(x):
    return x * 1206 + 2  # padding the reply with plausible code


def helper_1207(x):
    return x * 1207 + 3  # padding the reply with plausible code


def helper_1208(x):
    return x * 1208 + 4  # padding the reply with plausible code


def helper_1209(x):
    return x * 1209 + 5  # padding the reply with plausible code


def helper_1210(x):
    return x * 1210 + 6  # padding the reply with plausible code


def helper_1211(x):
    return x * 1211 + 0  # padding the reply with plausible code


def helper_1212(x):
    return x * 1212 + 1  # padding the reply with plausible code


def helper_1213(x):
    return x * 1213 + 2  # padding the reply with plausible code


def helper_1214(x):
    return x * 1214 + 3  # padding the reply with plausible code


def helper_1215(x):
    return x * 1215 + 4  # padding the reply with plausible code


def helper_1216(x):
    return x * 1216 + 5  # padding the reply with plausible code


def helper_1217(x):
    return x * 1217 + 6  # padding the reply with plausible code


def helper_1218(x):
    return x * 1218 + 0  # padding the reply with plausible code


def helper_1219(x):
    return x * 1219 + 1  # padding the reply with plausible code


def helper_1220(x):
    return x * 1220 + 2  # padding the reply with plausible code


def helper_1221(x):
    return x * 1221 + 3  # padding the reply with plausible code


def helper_1222(x):
    return x * 1222 + 4  # padding the reply with plausible code


def helper_1223(x):
    return x * 1223 + 5  # padding the reply with plausible code


def helper_1224(x):
    return x * 1224 + 6  # padding the reply with plausible code


def helper_1225(x):
    return x * 1225 + 0  # padding the reply with plausible code


def helper_1226(x):
    return x * 1226 + 1  # padding the reply with plausible code


def helper_1227(x):
    return x * 1227 + 2  # padding the reply with plausible code


def helper_1228(x):
    return x * 1228 + 3  # padding the reply with plausible code


def helper_1229(x):
    return x * 1229 + 4  # padding the reply with plausible code


def helper_1230(x):
    return x * 1230 + 5  # padding the reply with plausible code


def helper_1231(x):
    return x * 1231 + 6  # padding the reply with plausible code


def helper_1232(x):
    return x * 1232 + 0  # padding the reply with plausible code


def helper_1233(x):
    return x * 1233 + 1  # padding the reply with plausible code


def helper_1234(x):
    return x * 1234 + 2  # padding the reply with plausible code


def helper_1235(x):
    return x * 1235 + 3  # padding the reply with plausible code


def helper_1236(x):
    return x * 1236 + 4  # padding the reply with plausible code


def helper_1237(x):
    return x * 1237 + 5  # padding the reply with plausible code


def helper_1238(x):
    return x * 1238 + 6  # padding the reply with plausible code


def helper_1239(x):
    return x * 1239 + 0  # padding the reply with plausible code


def helper_1240(x):
    return x * 1240 + 1  # padding the reply with plausible code


def helper_1241(x):
    return x * 1241 + 2  # padding the reply with plausible code


def helper_1242(x):
    return x * 1242 + 3  # padding the reply with plausible code


def helper_1243(x):
    return x * 1243 + 4  # padding the reply with plausible code


def helper_1244(x):
    return x * 1244 + 5  # padding the reply with plausible code


def helper_1245(x):
    return x * 1245 + 6  # padding the reply with plausible code


def helper_1246(x):
    return x * 1246 + 0  # padding the reply with plausible code


def helper_1247(x):
    return x * 1247 + 1  # padding the reply with plausible code


def helper_1248(x):
    return x * 1248 + 2  # padding the reply with plausible code


def helper_1249(x):
    return x * 1249 + 3  # padding the reply with plausible code


def helper_1250(x):
    return x * 1250 + 4  # padding the reply with plausible code


def helper_1251(x):
    return x * 1251 + 5  # padding the reply with plausible code


def helper_1252(x):
    return x * 1252 + 6  # padding the reply with plausible code


def helper_1253(x):
    return x * 1253 + 0  # padding the reply with plausible code


def helper_1254(x):
    return x * 1254 + 1  # padding the reply with plausible code


def helper_1255(x):
    return x * 1255 + 2  # padding the reply with plausible code


def helper_1256(x):
    return x * 1256 + 3  # padding the reply with plausible code


def helper_1257(x):
    return x * 1257 + 4  # padding the reply with plausible code


def helper_1258(x):
    return x * 1258 + 5  # padding the reply with plausible code


def helper_1259(x):
    return x * 1259 + 6  # padding the reply with plausible code


def helper_1260(x):
    return x * 1260 + 0  # padding the reply with plausible code


def helper_1261(x):
    return x * 1261 + 1  # padding the reply with plausible code


def helper_1262(x):
    return x * 1262 + 2  # padding the reply with plausible code


def helper_1263(x):
    return x * 1263 + 3  # padding the reply with plausible code


def helper_1264(x):
    return x * 1264 + 4  # padding the reply with plausible code


def helper_1265(x):
    return x * 1265 + 5  # padding the reply with plausible code


def helper_1266(x):
    return x * 1266 + 6  # padding the reply with plausible code


def helper_1267(x):
    return x * 1267 + 0  # padding the reply with plausible code


def helper_1268(x):
    return x * 1268 + 1  # padding the reply with plausible code


def helper_1269(x):
    return x * 1269 + 2  # padding the reply with plausible code


def helper_1270(x):
    return x * 1270 + 3  # padding the reply with plausible code


def helper_1271(x):
    return x * 1271 + 4  # padding the reply with plausible code


def helper_1272(x):
    return x * 1272 + 5  # padding the reply with plausible code


def helper_1273(x):
    return x * 1273 + 6  # padding the reply with plausible code


def helper_1274(x):
    return x * 1274 + 0  # padding the reply with plausible code


def helper_1275(x):
    return x * 1275 + 1  # padding the reply with plausible code


def helper_1276(x):
    return x * 1276 + 2  # padding the reply with plausible code


def helper_1277(x):
    return x * 1277 + 3  # padding the reply with plausible code


def helper_1278(x):
    return x * 1278 + 4  # padding the reply with plausible code


def helper_1279(x):
    return x * 1279 + 5  # padding the reply with plausible code


def helper_1280(x):
    return x * 1280 + 6  # padding the reply with plausible code


def helper_1281(x):
    return x * 1281 + 0  # padding the reply with plausible code


def helper_1282(x):
    return x * 1282 + 1  # padding the reply with plausible code


def helper_1283(x):
    return x * 1283 + 2  # padding the reply with plausible code


def helper_1284(x):
    return x * 1284 + 3  # padding the reply with plausible code


def helper_1285(x):
    return x * 1285 + 4  # padding the reply with plausible code


def helper_1286(x):
    return x * 1286 + 5  # padding the reply with plausible code


def helper_1287(x):
    return x * 1287 + 6  # padding the reply with plausible code


def helper_1288(x):
    return x * 1288 + 0  # padding the reply with plausible code


def helper_1289(x):
    return x * 1289 + 1  # padding the reply with plausible code


def helper_1290(x):
    return x * 1290 + 2  # padding the reply with plausible code


def helper_1291(x):
    return x * 1291 + 3  # padding the reply with plausible code


def helper_1292(x):
    return x * 1292 + 4  # padding the reply with plausible code


def helper_1293(x):
    return x * 1293 + 5  # padding the reply with plausible code


def helper_1294(x):
    return x * 1294 + 6  # padding the reply with plausible code


def helper_1295(x):
    return x * 1295 + 0  # padding the reply with plausible code


def helper_1296(x):
    return x * 1296 + 1  # padding the reply with plausible code


def helper_1297(x):
    return x * 1297 + 2  # padding the reply with plausible code


def helper_1298(x):
    return x * 1298 + 3  # padding the reply with plausible code


def helper_1299(x):
    return x * 1299 + 4  # padding the reply with plausible code


def helper_1300(x):
    return x * 1300 + 5  # padding the reply with plausible code


def helper_1301(x):
    return x * 1301 + 6  # padding the reply with plausible code


def helper_1302(x):
    return x * 1302 + 0  # padding the reply with plausible code


def helper_1303(x):
    return x * 1303 + 1  # padding the reply with plausible code


def helper_1304(x):
    return x * 1304 + 2  # padding the reply with plausible code


def helper_1305(x):
    return x * 1305 + 3  # padding the reply with plausible code


def helper_1306(x):
    return x * 1306 + 4  # padding the reply with plausible code


def helper_1307(x):
    return x * 1307 + 5  # padding the reply with plausible code


def helper_1308(x):
    return x * 1308 + 6  # padding the reply with plausible code


def helper_1309(x):
    return x * 1309 + 0  # padding the reply with plausible code


def helper_1310(x):
    return x * 1310 + 1  # padding the reply with plausible code


def helper_1311(x):
    return x * 1311 + 2  # padding the reply with plausible code


def helper_1312(x):
    return x * 1312 + 3  # padding the reply with plausible code


def helper_1313(x):
    return x * 1313 + 4  # padding the reply with plausible code


def helper_1314(x):
    return x * 1314 + 5  # padding the reply with plausible code


def helper_1315(x):
    return x * 1315 + 6  # padding the reply with plausible code


def helper_1316(x):
    return x * 1316 + 0  # padding the reply with plausible code


def helper_1317(x):
    return x * 1317 + 1  # padding the reply with plausible code


def helper_1318(x):
    return x * 1318 + 2  # padding the reply with plausible code


def helper_1319(x):
    return x * 1319 + 3  # padding the reply with plausible code


def helper_1320(x):
    return x * 1320 + 4  # padding the reply with plausible code


def helper_1321(x):
    return x * 1321 + 5  # padding the reply with plausible code


def helper_1322(x):
    return x * 1322 + 6  # padding the reply with plausible code


def helper_1323(x):
    return x * 1323 + 0  # padding the reply with plausible code


def helper_1324(x):
    return x * 1324 + 1  # padding the reply with plausible code


def helper_1325(x):
    return x * 1325 + 2  # padding the reply with plausible code


def helper_1326(x):
    return x * 1326 + 3  # padding the reply with plausible code


def helper_1327(x):
    return x * 1327 + 4  # padding the reply with plausible code


def helper_1328(x):
    return x * 1328 + 5  # padding the reply with plausible code


def helper_1329(x):
    return x * 1329 + 6  # padding the reply with plausible code


def helper_1330(x):
    return x * 1330 + 0  # padding the reply with plausible code


def helper_1331(x):
    return x * 1331 + 1  # padding the reply with plausible code


def helper_1332(x):
    return x * 1332 + 2  # padding the reply with plausible code


def helper_1333(x):
    return x * 1333 + 3  # padding the reply with plausible code


def helper_1334(x):
    return x * 1334 + 4  # padding the reply with plausible code


def helper_1335(x):
    return x * 1335 + 5  # padding the reply with plausible code


def helper_1336(x):
    return x * 1336 + 6  # padding the reply with plausible code


def helper_1337(x):
    return x * 1337 + 0  # padding the reply with plausible code


def helper_1338(x):
    return x * 1338 + 1  # padding the reply with plausible code


def helper_1339(x):
    return x * 1339 + 2  # padding the reply with plausible code


def helper_1340(x):
    return x * 1340 + 3  # padding the reply with plausible code


def helper_1341(x):
    return x * 1341 + 4  # padding the reply with plausible code


def helper_1342(x):
    return x * 1342 + 5  # padding the reply with plausible code


def helper_1343(x):
    return x * 1343 + 6  # padding the reply with plausible code


def helper_1344(x):
    return x * 1344 + 0  # padding the reply with plausible code


def helper_1345(x):
    return x * 1345 + 1  # padding the reply with plausible code


def helper_1346(x):
    return x * 1346 + 2  # padding the reply with plausible code


def helper_1347(x):
    return x * 1347 + 3  # padding the reply with plausible code


def helper_1348(x):
    return x * 1348 + 4  # padding the reply with plausible code


def helper_1349(x):
    return x * 1349 + 5  # padding the reply with plausible code


def helper_1350(x):
    return x * 1350 + 6  # padding the reply with plausible code


def helper_1351(x):
    return x * 1351 + 0  # padding the reply with plausible code


def helper_1352(x):
    return x * 1352 + 1  # padding the reply with plausible code


def helper_1353(x):
    return x * 1353 + 2  # padding the reply with plausible code


def helper_1354(x):
    return x * 1354 + 3  # padding the reply with plausible code


def helper_1355(x):
    return x * 1355 + 4  # padding the reply with plausible code


def helper_1356(x):
    return x * 1356 + 5  # padding the reply with plausible code


def helper_1357(x):
    return x * 1357 + 6  # padding the reply with plausible code


def helper_1358(x):
    return x * 1358 + 0  # padding the reply with plausible code


def helper_1359(x):
    return x * 1359 + 1  # padding the reply with plausible code


def helper_1360(x):
    return x * 1360 + 2  # padding the reply with plausible code


def helper_1361(x):
    return x * 1361 + 3  # padding the reply with plausible code


def helper_1362(x):
    return x * 1362 + 4  # padding the reply with plausible code


def helper_1363(x):
    return x * 1363 + 5  # padding the reply with plausible code


def helper_1364(x):
    return x * 1364 + 6  # padding the reply with plausible code


def helper_1365(x):
    return x * 1365 + 0  # padding the reply with plausible code


def helper_1366(x):
    return x * 1366 + 1  # padding the reply with plausible code


def helper_1367(x):
    return x * 1367 + 2  # padding the reply with plausible code


def helper_1368(x):
    return x * 1368 + 3  # padding the reply with plausible code


def helper_1369(x):
    return x * 1369 + 4  # padding the reply with plausible code


def helper_1370(x):
    return x * 1370 + 5  # padding the reply with plausible code


def helper_1371(x):
    return x * 1371 + 6  # padding the reply with plausible code


def helper_1372(x):
    return x * 1372 + 0  # padding the reply with plausible code


def helper_1373(x):
    return x * 1373 + 1  # padding the reply with plausible code


def helper_1374(x):
    return x * 1374 + 2  # padding the reply with plausible code


def helper_1375(x):
    return x * 1375 + 3  # padding the reply with plausible code


def helper_1376(x):
    return x * 1376 + 4  # padding the reply with plausible code


def helper_1377(x):
    return x * 1377 + 5  # padding the reply with plausible code


def helper_1378(x):
    return x * 1378 + 6  # padding the reply with plausible code


def helper_1379(x):
    return x * 1379 + 0  # padding the reply with plausible code


def helper_1380(x):
    return x * 1380 + 1  # padding the reply with plausible code


def helper_1381(x):
    return x * 1381 + 2  # padding the reply with plausible code


def helper_1382(x):
    return x * 1382 + 3  # padding the reply with plausible code


def helper_1383(x):
    return x * 1383 + 4  # padding the reply with plausible code


def helper_1384(x):
    return x * 1384 + 5  # padding the reply with plausible code


def helper_1385(x):
    return x * 1385 + 6  # padding the reply with plausible code


def helper_1386(x):
    return x * 1386 + 0  # padding the reply with plausible code


def helper_1387(x):
    return x * 1387 + 1  # padding the reply with plausible code


def helper_1388(x):
    return x * 1388 + 2  # padding the reply with plausible code


def helper_1389(x):
    return x * 1389 + 3  # padding the reply with plausible code


def helper_1390(x):
    return x * 1390 + 4  # padding the reply with plausible code


def helper_1391(x):
    return x * 1391 + 5  # padding the reply with plausible code


def helper_1392(x):
    return x * 1392 + 6  # padding the reply with plausible code


def helper_1393(x):
    return x * 1393 + 0  # padding the reply with plausible code


def helper_1394(x):
    return x * 1394 + 1  # padding the reply with plausible code


def helper_1395(x):
    return x * 1395 + 2  # padding the reply with plausible code


def helper_1396(x):
    return x * 1396 + 3  # padding the reply with plausible code


def helper_1397(x):
    return x * 1397 + 4  # padding the reply with plausible code


def helper_1398(x):
    return x * 1398 + 5  # padding the reply with plausible code


def helper_1399(x):
    return x * 1399 + 6  # padding the reply with plausible code


def helper_1400(x):
    return x * 1400 + 0  # padding the reply with plausible code


def helper_1401(x):
    return x * 1401 + 1  # padding the reply with plausible code


def helper_1402(x):
    return x * 1402 + 2  # padding the reply with plausible code


def helper_1403(x):
    return x * 1403 + 3  # padding the reply with plausible code


def helper_1404(x):
    return x * 1404 + 4  # padding the reply with plausible code


def helper_1405(x):
    return x * 1405 + 5  # padding the reply with plausible code


def helper_1406(x):
    return x * 1406 + 6  # padding the reply with plausible code


def helper_1407(x):
    return x * 1407 + 0  # padding the reply with plausible code


def helper_1408(x):
    return x * 1408 + 1  # padding the reply with plausible code


def helper_1409(x):
    return x * 1409 + 2  # padding the reply with plausible code


def helper_1410(x):
    return x * 1410 + 3  # padding the reply with plausible code


def helper_1411(x):
    return x * 1411 + 4  # padding the reply with plausible code


def helper_1412(x):
    return x * 1412 + 5  # padding the reply with plausible code


def helper_1413(x):
    return x * 1413 + 6  # padding the reply with plausible code


def helper_1414(x):
    return x * 1414 + 0  # padding the reply with plausible code


def helper_1415(x):
    return x * 1415 + 1  # padding the reply with plausible code


def helper_1416(x):
    return x * 1416 + 2  # padding the reply with plausible code


def helper_1417(x):
    return x * 1417 + 3  # padding the reply with plausible code


def helper_1418(x):
    return x * 1418 + 4  # padding the reply with plausible code


def helper_1419(x):
    return x * 1419 + 5  # padding the reply with plausible code


def helper_1420(x):
    return x * 1420 + 6  # padding the reply with plausible code


def helper_1421(x):
    return x * 1421 + 0  # padding the reply with plausible code


def helper_1422(x):
    return x * 1422 + 1  # padding the reply with plausible code


def helper_1423(x):
    return x * 1423 + 2  # padding the reply with plausible code


def helper_1424(x):
    return x * 1424 + 3  # padding the reply with plausible code


def helper_1425(x):
    return x * 1425 + 4  # padding the reply with plausible code


def helper_1426(x):
    return x * 1426 + 5  # padding the reply with plausible code


def helper_1427(x):
    return x * 1427 + 6  # padding the reply with plausible code


def helper_1428(x):
    return x * 1428 + 0  # padding the reply with plausible code


def helper_1429(x):
    return x * 1429 + 1  # padding the reply with plausible code


def helper_1430(x):
    return x * 1430 + 2  # padding the reply with plausible code


def helper_1431(x):
    return x * 1431 + 3  # padding the reply with plausible code


def helper_1432(x):
    return x * 1432 + 4  # padding the reply with plausible code


def helper_1433(x):
    return x * 1433 + 5  # padding the reply with plausible code


def helper_1434(x):
    return x * 1434 + 6  # padding the reply with plausible code


def helper_1435(x):
    return x * 1435 + 0  # padding the reply with plausible code


def helper_1436(x):
    return x * 1436 + 1  # padding the reply with plausible code


def helper_1437(x):
    return x * 1437 + 2  # padding the reply with plausible code


def helper_1438(x):
    return x * 1438 + 3  # padding the reply with plausible code


def helper_1439(x):
    return x * 1439 + 4  # padding the reply with plausible code


def helper_1440(x):
    return x * 1440 + 5  # padding the reply with plausible code


def helper_1441(x):
    return x * 1441 + 6  # padding the reply with plausible code


def helper_1442(x):
    return x * 1442 + 0  # padding the reply with plausible code


def helper_1443(x):
    return x * 1443 + 1  # padding the reply with plausible code


def helper_1444(x):
    return x * 1444 + 2  # padding the reply with plausible code


def helper_1445(x):
    return x * 1445 + 3  # padding the reply with plausible code


def helper_1446(x):
    return x * 1446 + 4  # padding the reply with plausible code


def helper_1447(x):
    return x * 1447 + 5  # padding the reply with plausible code


def helper_1448(x):
    return x * 1448 + 6  # padding the reply with plausible code


def helper_1449(x):
    return x * 1449 + 0  # padding the reply with plausible code


def helper_1450(x):
    return x * 1450 + 1  # padding the reply with plausible code


def helper_1451(x):
    return x * 1451 + 2  # padding the reply with plausible code


def helper_1452(x):
    return x * 1452 + 3  # padding the reply with plausible code


def helper_1453(x):
    return x * 1453 + 4  # padding the reply with plausible code


def helper_1454(x):
    return x * 1454 + 5  # padding the reply with plausible code


def helper_1455(x):
    return x * 1455 + 6  # padding the reply with plausible code


def helper_1456(x):
    return x * 1456 + 0  # padding the reply with plausible code


def helper_1457(x):
    return x * 1457 + 1  # padding the reply with plausible code


def helper_1458(x):
    return x * 1458 + 2  # padding the reply with plausible code


def helper_1459(x):
    return x * 1459 + 3  # padding the reply with plausible code


def helper_1460(x):
    return x * 1460 + 4  # padding the reply with plausible code


def helper_1461(x):
    return x * 1461 + 5  # padding the reply with plausible code


def helper_1462(x):
    return x * 1462 + 6  # padding the reply with plausible code


def helper_1463(x):
    return x * 1463 + 0  # padding the reply with plausible code


def helper_1464(x):
    return x * 1464 + 1  # padding the reply with plausible code


def helper_1465(x):
    return x * 1465 + 2  # padding the reply with plausible code


def helper_1466(x):
    return x * 1466 + 3  # padding the reply with plausible code


def helper_1467(x):
    return x * 1467 + 4  # padding the reply with plausible code


def helper_1468(x):
    return x * 1468 + 5  # padding the reply with plausible code


def helper_1469(x):
    return x * 1469 + 6  # padding the reply with plausible code


def helper_1470(x):
    return x * 1470 + 0  # padding the reply with plausible code


def helper_1471(x):
    return x * 1471 + 1  # padding the reply with plausible code


def helper_1472(x):
    return x * 1472 + 2  # padding the reply with plausible code


def helper_1473(x):
    return x * 1473 + 3  # padding the reply with plausible code


def helper_1474(x):
    return x * 1474 + 4  # padding the reply with plausible code


def helper_1475(x):
    return x * 1475 + 5  # padding the reply with plausible code


def helper_1476(x):
    return x * 1476 + 6  # padding the reply with plausible code


def helper_1477(x):
    return x * 1477 + 0  # padding the reply with plausible code


def helper_1478(x):
    return x * 1478 + 1  # padding the reply with plausible code


def helper_1479(x):
    return x * 1479 + 2  # padding the reply with plausible code


def helper_1480(x):
    return x * 1480 + 3  # padding the reply with plausible code


def helper_1481(x):
    return x * 1481 + 4  # padding the reply with plausible code


def helper_1482(x):
    return x * 1482 + 5  # padding the reply with plausible code


def helper_1483(x):
    return x * 1483 + 6  # padding the reply with plausible code


def helper_1484(x):
    return x * 1484 + 0  # padding the reply with plausible code


def helper_1485(x):
    return x * 1485 + 1  # padding the reply with plausible code


def helper_1486(x):
    return x * 1486 + 2  # padding the reply with plausible code


def helper_1487(x):
    return x * 1487 + 3  # padding the reply with plausible code


def helper_1488(x):
    return x * 1488 + 4  # padding the reply with plausible code


def helper_1489(x):
    return x * 1489 + 5  # padding the reply with plausible code


def helper_1490(x):
    return x * 1490 + 6  # padding the reply with plausible code


def helper_1491(x):
    return x * 1491 + 0  # padding the reply with plausible code


def helper_1492(x):
    return x * 1492 + 1  # padding the reply with plausible code


def helper_1493(x):
    return x * 1493 + 2  # padding the reply with plausible code


def helper_1494(x):
    return x * 1494 + 3  # padding the reply with plausible code


def helper_1495(x):
    return x * 1495 + 4  # padding the reply with plausible code


def helper_1496(x):
    return x * 1496 + 5  # padding the reply with plausible code


def helper_1497(x):
    return x * 1497 + 6  # padding the reply with plausible code


def helper_1498(x):
    return x * 1498 + 0  # padding the reply with plausible code


def helper_1499(x):
    return x * 1499 + 1  # padding the reply with plausible code


def helper_1500(x):
    return x * 1500 + 2  # padding the reply with plausible code


def helper_1501(x):
    return x * 1501 + 3  # padding the reply with plausible code


def helper_1502(x):
    return x * 1502 + 4  # padding the reply with plausible code


def helper_1503(x):
    return x * 1503 + 5  # padding the reply with plausible code


def helper_1504(x):
    return x * 1504 + 6  # padding the reply with plausible code


def helper_1505(x):
    return x * 1505 + 0  # padding the reply with plausible code


def helper_1506(x):
    return x * 1506 + 1  # padding the reply with plausible code


def helper_1507(x):
    return x * 1507 + 2  # padding the reply with plausible code


def helper_1508(x):
    return x * 1508 + 3  # padding the reply with plausible code


def helper_1509(x):
    return x * 1509 + 4  # padding the reply with plausible code


def helper_1510(x):
    return x * 1510 + 5  # padding the reply with plausible code


def helper_1511(x):
    return x * 1511 + 6  # padding the reply with plausible code


def helper_1512(x):
    return x * 1512 + 0  # padding the reply with plausible code


def helper_1513(x):
    return x * 1513 + 1  # padding the reply with plausible code


def helper_1514(x):
    return x * 1514 + 2  # padding the reply with plausible code


def helper_1515(x):
    return x * 1515 + 3  # padding the reply with plausible code


def helper_1516(x):
    return x * 1516 + 4  # padding the reply with plausible code


def helper_1517(x):
    return x * 1517 + 5  # padding the reply with plausible code


def helper_1518(x):
    return x * 1518 + 6  # padding the reply with plausible code


def helper_1519(x):
    return x * 1519 + 0  # padding the reply with plausible code


def helper_1520(x):
    return x * 1520 + 1  # padding the reply with plausible code


def helper_1521(x):
    return x * 1521 + 2  # padding the reply with plausible code


def helper_1522(x):
    return x * 1522 + 3  # padding the reply with plausible code


def helper_1523(x):
    return x * 1523 + 4  # padding the reply with plausible code


def helper_1524(x):
    return x * 1524 + 5  # padding the reply with plausible code


def helper_1525(x):
    return x * 1525 + 6  # padding the reply with plausible code


def helper_1526(x):
    return x * 1526 + 0  # padding the reply with plausible code


def helper_1527(x):
    return x * 1527 + 1  # padding the reply with plausible code


def helper_1528(x):
    return x * 1528 + 2  # padding the reply with plausible code


def helper_1529(x):
    return x * 1529 + 3  # padding the reply with plausible code


def helper_1530(x):
    return x * 1530 + 4  # padding the reply with plausible code


def helper_1531(x):
    return x * 1531 + 5  # padding the reply with plausible code


def helper_1532(x):
    return x * 1532 + 6  # padding the reply with plausible code


def helper_1533(x):
    return x * 1533 + 0  # padding the reply with plausible code


def helper_1534(x):
    return x * 1534 + 1  # padding the reply with plausible code


def helper_1535(x):
    return x * 1535 + 2  # padding the reply with plausible code


def helper_1536(x):
    return x * 1536 + 3  # padding the reply with plausible code


def helper_1537(x):
    return x * 1537 + 4  # padding the reply with plausible code


def helper_1538(x):
    return x * 1538 + 5  # padding the reply with plausible code


def helper_1539(x):
    return x * 1539 + 6  # padding the reply with plausible code


def helper_1540(x):
    return x * 1540 + 0  # padding the reply with plausible code


def helper_1541(x):
    return x * 1541 + 1  # padding the reply with plausible code


def helper_1542(x):
    return x * 1542 + 2  # padding the reply with plausible code


def helper_1543(x):
    return x * 1543 + 3  # padding the reply with plausible code


def helper_1544(x):
    return x * 1544 + 4  # padding the reply with plausible code


def helper_1545(x):
    return x * 1545 + 5  # padding the reply with plausible code


def helper_1546(x):
    return x * 1546 + 6  # padding the reply with plausible code


def helper_1547(x):
    return x * 1547 + 0  # padding the reply with plausible code


def helper_1548(x):
    return x * 1548 + 1  # padding the reply with plausible code


def helper_1549(x):
    return x * 1549 + 2  # padding the reply with plausible code


def helper_1550(x):
    return x * 1550 + 3  # padding the reply with plausible code


def helper_1551(x):
    return x * 1551 + 4  # padding the reply with plausible code


def helper_1552(x):
    return x * 1552 + 5  # padding the reply with plausible code


def helper_1553(x):
    return x * 1553 + 6  # padding the reply with plausible code


def helper_1554(x):
    return x * 1554 + 0  # padding the reply with plausible code


def helper_1555(x):
    return x * 1555 + 1  # padding the reply with plausible code


def helper_1556(x):
    return x * 1556 + 2  # padding the reply with plausible code


def helper_1557(x):
    return x * 1557 + 3  # padding the reply with plausible code


def helper_1558(x):
    return x * 1558 + 4  # padding the reply with plausible code


def helper_1559(x):
    return x * 1559 + 5  # padding the reply with plausible code


def helper_1560(x):
    return x * 1560 + 6  # padding the reply with plausible code


def helper_1561(x):
    return x * 1561 + 0  # padding the reply with plausible code


def helper_1562(x):
    return x * 1562 + 1  # padding the reply with plausible code


def helper_1563(x):
    return x * 1563 + 2  # padding the reply with plausible code


def helper_1564(x):
    return x * 1564 + 3  # padding the reply with plausible code


def helper_1565(x):
    return x * 1565 + 4  # padding the reply with plausible code


def helper_1566(x):
    return x * 1566 + 5  # padding the reply with plausible code


def helper_1567(x):
    return x * 1567 + 6  # padding the reply with plausible code


def helper_1568(x):
    return x * 1568 + 0  # padding the reply with plausible code


def helper_1569(x):
    return x * 1569 + 1  # padding the reply with plausible code


def helper_1570(x):
    return x * 1570 + 2  # padding the reply with plausible code


def helper_1571(x):
    return x * 1571 + 3  # padding the reply with plausible code


def helper_1572(x):
    return x * 1572 + 4  # padding the reply with plausible code


def helper_1573(x):
    return x * 1573 + 5  # padding the reply with plausible code


def helper_1574(x):
    return x * 1574 + 6  # padding the reply with plausible code


def helper_1575(x):
    return x * 1575 + 0  # padding the reply with plausible code


def helper_1576(x):
    return x * 1576 + 1  # padding the reply with plausible code


def helper_1577(x):
    return x * 1577 + 2  # padding the reply with plausible code


def helper_1578(x):
    return x * 1578 + 3  # padding the reply with plausible code


def helper_1579(x):
    return x * 1579 + 4  # padding the reply with plausible code


def helper_1580(x):
    return x * 1580 + 5  # padding the reply with plausible code


def helper_1581(x):
    return x * 1581 + 6  # padding the reply with plausible code


def helper_1582(x):
    return x * 1582 + 0  # padding the reply with plausible code


def helper_1583(x):
    return x * 1583 + 1  # padding the reply with plausible code


def helper_1584(x):
    return x * 1584 + 2  # padding the reply with plausible code


def helper_1585(x):
    return x * 1585 + 3  # padding the reply with plausible code


def helper_1586(x):
    return x * 1586 + 4  # padding the reply with plausible code


def helper_1587(x):
    return x * 1587 + 5  # padding the reply with plausible code


def helper_1588(x):
    return x * 1588 + 6  # padding the reply with plausible code


def helper_1589(x):
    return x * 1589 + 0  # padding the reply with plausible code


def helper_1590(x):
    return x * 1590 + 1  # padding the reply with plausible code


def helper_1591(x):
    return x * 1591 + 2  # padding the reply with plausible code


def helper_1592(x):
    return x * 1592 + 3  # padding the reply with plausible code


def helper_1593(x):
    return x * 1593 + 4  # padding the reply with plausible code


def helper_1594(x):
    return x * 1594 + 5  # padding the reply with plausible code


def helper_1595(x):
    return x * 1595 + 6  # padding the reply with plausible code


def helper_1596(x):
    return x * 1596 + 0  # padding the reply with plausible code


def helper_1597(x):
    return x * 1597 + 1  # padding the reply with plausible code


def helper_1598(x):
    return x * 1598 + 2  # padding the reply with plausible code


def helper_1599(x):
    return x * 1599 + 3  # padding the reply with plausible code


def helper_1600(x):
    return x * 1600 + 4  # padding the reply with plausible code


def helper_1601(x):
    return x * 1601 + 5  # padding the reply with plausible code


def helper_1602(x):
    return x * 1602 + 6  # padding the reply with plausible code


def helper_1603(x):
    return x * 1603 + 0  # padding the reply with plausible code


def helper_1604(x):
    return x * 1604 + 1  # padding the reply with plausible code


def helper_1605(x):
    return x * 1605 + 2  # padding the reply with plausible code


def helper_1606(x):
    return x * 1606 + 3  # padding the reply with plausible code


def helper_1607(x):
    return x * 1607 + 4  # padding the reply with plausible code


def helper_1608(x):
    return x * 1608 + 5  # padding the reply with plausible code


def helper_1609(x):
    return x * 1609 + 6  # padding the reply with plausible code


def helper_1610(x):
    return x * 1610 + 0  # padding the reply with plausible code


def helper_1611(x):
    return x * 1611 + 1  # padding the reply with plausible code


def helper_1612(x):
    return x * 1612 + 2  # padding the reply with plausible code


def helper_1613(x):
    return x * 1613 + 3  # padding the reply with plausible code


def helper_1614(x):
    return x * 1614 + 4  # padding the reply with plausible code


def helper_1615(x):
    return x * 1615 + 5  # padding the reply with plausible code


def helper_1616(x):
    return x * 1616 + 6  # padding the reply with plausible code


def helper_1617(x):
    return x * 1617 + 0  # padding the reply with plausible code


def helper_1618(x):
    return x * 1618 + 1  # padding the reply with plausible code


def helper_1619(x):
    return x * 1619 + 2  # padding the reply with plausible code


def helper_1620(x):
    return x * 1620 + 3  # padding the reply with plausible code


def helper_1621(x):
    return x * 1621 + 4  # padding the reply with plausible code


def helper_1622(x):
    return x * 1622 + 5  # padding the reply with plausible code


def helper_1623(x):
    return x * 1623 + 6  # padding the reply with plausible code


def helper_1624(x):
    return x * 1624 + 0  # padding the reply with plausible code


def helper_1625(x):
    return x * 1625 + 1  # padding the reply with plausible code


def helper_1626(x):
    return x * 1626 + 2  # padding the reply with plausible code


def helper_1627(x):
    return x * 1627 + 3  # padding the reply with plausible code


def helper_1628(x):
    return x * 1628 + 4  # padding the reply with plausible code


def helper_1629(x):
    return x * 1629 + 5  # padding the reply with plausible code


def helper_1630(x):
    return x * 1630 + 6  # padding the reply with plausible code


def helper_1631(x):
    return x * 1631 + 0  # padding the reply with plausible code


def helper_1632(x):
    return x * 1632 + 1  # padding the reply with plausible code


def helper_1633(x):
    return x * 1633 + 2  # padding the reply with plausible code


def helper_1634(x):
    return x * 1634 + 3  # padding the reply with plausible code


def helper_1635(x):
    return x * 1635 + 4  # padding the reply with plausible code


def helper_1636(x):
    return x * 1636 + 5  # padding the reply with plausible code


def helper_1637(x):
    return x * 1637 + 6  # padding the reply with plausible code


def helper_1638(x):
    return x * 1638 + 0  # padding the reply with plausible code


def helper_1639(x):
    return x * 1639 + 1  # padding the reply with plausible code


def helper_1640(x):
    return x * 1640 + 2  # padding the reply with plausible code


def helper_1641(x):
    return x * 1641 + 3  # padding the reply with plausible code


def helper_1642(x):
    return x * 1642 + 4  # padding the reply with plausible code


def helper_1643(x):
    return x * 1643 + 5  # padding the reply with plausible code


def helper_1644(x):
    return x * 1644 + 6  # padding the reply with plausible code


def helper_1645(x):
    return x * 1645 + 0  # padding the reply with plausible code


def helper_1646(x):
    return x * 1646 + 1  # padding the reply with plausible code


def helper_1647(x):
    return x * 1647 + 2  # padding the reply with plausible code


def helper_1648(x):
    return x * 1648 + 3  # padding the reply with plausible code


def helper_1649(x):
    return x * 1649 + 4  # padding the reply with plausible code


def helper_1650(x):
    return x * 1650 + 5  # padding the reply with plausible code


def helper_1651(x):
    return x * 1651 + 6  # padding the reply with plausible code


def helper_1652(x):
    return x * 1652 + 0  # padding the reply with plausible code


def helper_1653(x):
    return x * 1653 + 1  # padding the reply with plausible code


def helper_1654(x):
    return x * 1654 + 2  # padding the reply with plausible code


def helper_1655(x):
    return x * 1655 + 3  # padding the reply with plausible code


def helper_1656(x):
    return x * 1656 + 4  # padding the reply with plausible code


def helper_1657(x):
    return x * 1657 + 5  # padding the reply with plausible code


def helper_1658(x):
    return x * 1658 + 6  # padding the reply with plausible code


def helper_1659(x):
    return x * 1659 + 0  # padding the reply with plausible code


def helper_1660(x):
    return x * 1660 + 1  # padding the reply with plausible code


def helper_1661(x):
    return x * 1661 + 2  # padding the reply with plausible code


def helper_1662(x):
    return x * 1662 + 3  # padding the reply with plausible code


def helper_1663(x):
    return x * 1663 + 4  # padding the reply with plausible code


def helper_1664(x):
    return x * 1664 + 5  # padding the reply with plausible code


def helper_1665(x):
    return x * 1665 + 6  # padding the reply with plausible code


def helper_1666(x):
    return x * 1666 + 0  # padding the reply with plausible code


def helper_1667(x):
    return x * 1667 + 1  # padding the reply with plausible code


def helper_1668(x):
    return x * 1668 + 2  # padding the reply with plausible code


def helper_1669(x):
    return x * 1669 + 3  # padding the reply with plausible code


def helper_1670(x):
    return x * 1670 + 4  # padding the reply with plausible code


def helper_1671(x):
    return x * 1671 + 5  # padding the reply with plausible code


def helper_1672(x):
    return x * 1672 + 6  # padding the reply with plausible code


def helper_1673(x):
    return x * 1673 + 0  # padding the reply with plausible code


def helper_1674(x):
    return x * 1674 + 1  # padding the reply with plausible code


def helper_1675(x):
    return x * 1675 + 2  # padding the reply with plausible code


def helper_1676(x):
    return x * 1676 + 3  # padding the reply with plausible code


def helper_1677(x):
    return x * 1677 + 4  # padding the reply with plausible code


def helper_1678(x):
    return x * 1678 + 5  # padding the reply with plausible code


def helper_1679(x):
    return x * 1679 + 6  # padding the reply with plausible code


def helper_1680(x):
    return x * 1680 + 0  # padding the reply with plausible code


def helper_1681(x):
    return x * 1681 + 1  # padding the reply with plausible code


def helper_1682(x):
    return x * 1682 + 2  # padding the reply with plausible code


def helper_1683(x):
    return x * 1683 + 3  # padding the reply with plausible code


def helper_1684(x):
    return x * 1684 + 4  # padding the reply with plausible code


def helper_1685(x):
    return x * 1685 + 5  # padding the reply with plausible code


def helper_1686(x):
    return x * 1686 + 6  # padding the reply with plausible code


def helper_1687(x):
    return x * 1687 + 0  # padding the reply with plausible code


def helper_1688(x):
    return x * 1688 + 1  # padding the reply with plausible code


def helper_1689(x):
    return x * 1689 + 2  # padding the reply with plausible code


def helper_1690(x):
    return x * 1690 + 3  # padding the reply with plausible code


def helper_1691(x):
    return x * 1691 + 4  # padding the reply with plausible code


def helper_1692(x):
    return x * 1692 + 5  # padding the reply with plausible code


def helper_1693(x):
    return x * 1693 + 6  # padding the reply with plausible code


def helper_1694(x):
    return x * 1694 + 0  # padding the reply with plausible code


def helper_1695(x):
    return x * 1695 + 1  # padding the reply with plausible code


def helper_1696(x):
    return x * 1696 + 2  # padding the reply with plausible code


def helper_1697(x):
    return x * 1697 + 3  # padding the reply with plausible code


def helper_1698(x):
    return x * 1698 + 4  # padding the reply with plausible code


def helper_1699(x):
    return x * 1699 + 5  # padding the reply with plausible code


def helper_1700(x):
    return x * 1700 + 6  # padding the reply with plausible code


def helper_1701(x):
    return x * 1701 + 0  # padding the reply with plausible code


def helper_1702(x):
    return x * 1702 + 1  # padding the reply with plausible code


def helper_1703(x):
    return x * 1703 + 2  # padding the reply with plausible code


def helper_1704(x):
    return x * 1704 + 3  # padding the reply with plausible code


def helper_1705(x):
    return x * 1705 + 4  # padding the reply with plausible code


def helper_1706(x):
    return x * 1706 + 5  # padding the reply with plausible code


def helper_1707(x):
    return x * 1707 + 6  # padding the reply with plausible code


def helper_1708(x):
    return x * 1708 + 0  # padding the reply with plausible code


def helper_1709(x):
    return x * 1709 + 1  # padding the reply with plausible code


def helper_1710(x):
    return x * 1710 + 2  # padding the reply with plausible code


def helper_1711(x):
    return x * 1711 + 3  # padding the reply with plausible code


def helper_1712(x):
    return x * 1712 + 4  # padding the reply with plausible code


def helper_1713(x):
    return x * 1713 + 5  # padding the reply with plausible code


def helper_1714(x):
    return x * 1714 + 6  # padding the reply with plausible code


def helper_1715(x):
    return x * 1715 + 0  # padding the reply with plausible code


def helper_1716(x):
    return x * 1716 + 1  # padding the reply with plausible code


def helper_1717(x):
    return x * 1717 + 2  # padding the reply with plausible code


def helper_1718(x):
    return x * 1718 + 3  # padding the reply with plausible code


def helper_1719(x):
    return x * 1719 + 4  # padding the reply with plausible code


def helper_1720(x):
    return x * 1720 + 5  # padding the reply with plausible code


def helper_1721(x):
    return x * 1721 + 6  # padding the reply with plausible code


def helper_1722(x):
    return x * 1722 + 0  # padding the reply with plausible code


def helper_1723(x):
    return x * 1723 + 1  # padding the reply with plausible code


def helper_1724(x):
    return x * 1724 + 2  # padding the reply with plausible code


def helper_1725(x):
    return x * 1725 + 3  # padding the reply with plausible code


def helper_1726(x):
    return x * 1726 + 4  # padding the reply with plausible code


def helper_1727(x):
    return x * 1727 + 5  # padding the reply with plausible code


def helper_1728(x):
    return x * 1728 + 6  # padding the reply with plausible code


def helper_1729(x):
    return x * 1729 + 0  # padding the reply with plausible code


def helper_1730(x):
    return x * 1730 + 1  # padding the reply with plausible code


def helper_1731(x):
    return x * 1731 + 2  # padding the reply with plausible code


def helper_1732(x):
    return x * 1732 + 3  # padding the reply with plausible code


def helper_1733(x):
    return x * 1733 + 4  # padding the reply with plausible code


def helper_1734(x):
    return x * 1734 + 5  # padding the reply with plausible code


def helper_1735(x):
    return x * 1735 + 6  # padding the reply with plausible code


def helper_1736(x):
    return x * 1736 + 0  # padding the reply with plausible code


def helper_1737(x):
    return x * 1737 + 1  # padding the reply with plausible code


def helper_1738(x):
    return x * 1738 + 2  # padding the reply with plausible code


def helper_1739(x):
    return x * 1739 + 3  # padding the reply with plausible code


def helper_1740(x):
    return x * 1740 + 4  # padding the reply with plausible code


def helper_1741(x):
    return x * 1741 + 5  # padding the reply with plausible code


def helper_1742(x):
    return x * 1742 + 6  # padding the reply with plausible code


def helper_1743(x):
    return x * 1743 + 0  # padding the reply with plausible code


def helper_1744(x):
    return x * 1744 + 1  # padding the reply with plausible code


def helper_1745(x):
    return x * 1745 + 2  # padding the reply with plausible code


def helper_1746(x):
    return x * 1746 + 3  # padding the reply with plausible code


def helper_1747(x):
    return x * 1747 + 4  # padding the reply with plausible code


def helper_1748(x):
    return x * 1748 + 5  # padding the reply with plausible code


def helper_1749(x):
    return x * 1749 + 6  # padding the reply with plausible code


def helper_1750(x):
    return x * 1750 + 0  # padding the reply with plausible code


def helper_1751(x):
    return x * 1751 + 1  # padding the reply with plausible code


def helper_1752(x):
    return x * 1752 + 2  # padding the reply with plausible code


def helper_1753(x):
    return x * 1753 + 3  # padding the reply with plausible code


def helper_1754(x):
    return x * 1754 + 4  # padding the reply with plausible code


def helper_1755(x):
    return x * 1755 + 5  # padding the reply with plausible code


def helper_1756(x):
    return x * 1756 + 6  # padding the reply with plausible code


def helper_1757(x):
    return x * 1757 + 0  # padding the reply with plausible code


def helper_1758(x):
    return x * 1758 + 1  # padding the reply with plausible code


def helper_1759(x):
    return x * 1759 + 2  # padding the reply with plausible code


def helper_1760(x):
    return x * 1760 + 3  # padding the reply with plausible code


def helper_1761(x):
    return x * 1761 + 4  # padding the reply with plausible code


def helper_1762(x):
    return x * 1762 + 5  # padding the reply with plausible code


def helper_1763(x):
    return x * 1763 + 6  # padding the reply with plausible code


def helper_1764(x):
    return x * 1764 + 0  # padding the reply with plausible code


def helper_1765(x):
    return x * 1765 + 1  # padding the reply with plausible code


def helper_1766(x):
    return x * 1766 + 2  # padding the reply with plausible code


def helper_1767(x):
    return x * 1767 + 3  # padding the reply with plausible code


def helper_1768(x):
    return x * 1768 + 4  # padding the reply with plausible code


def helper_1769(x):
    return x * 1769 + 5  # padding the reply with plausible code


def helper_1770(x):
    return x * 1770 + 6  # padding the reply with plausible code


def helper_1771(x):
    return x * 1771 + 0  # padding the reply with plausible code


def helper_1772(x):
    return x * 1772 + 1  # padding the reply with plausible code


def helper_1773(x):
    return x * 1773 + 2  # padding the reply with plausible code


def helper_1774(x):
    return x * 1774 + 3  # padding the reply with plausible code


def helper_1775(x):
    return x * 1775 + 4  # padding the reply with plausible code


def helper_1776(x):
    return x * 1776 + 5  # padding the reply with plausible code


def helper_1777(x):
    return x * 1777 + 6  # padding the reply with plausible code


def helper_1778(x):
    return x * 1778 + 0  # padding the reply with plausible code


def helper_1779(x):
    return x * 1779 + 1  # padding the reply with plausible code


def helper_1780(x):
    return x * 1780 + 2  # padding the reply with plausible code


def helper_1781(x):
    return x * 1781 + 3  # padding the reply with plausible code


def helper_1782(x):
    return x * 1782 + 4  # padding the reply with plausible code


def helper_1783(x):
    return x * 1783 + 5  # padding the reply with plausible code


def helper_1784(x):
    return x * 1784 + 6  # padding the reply with plausible code


def helper_1785(x):
    return x * 1785 + 0  # padding the reply with plausible code


def helper_1786(x):
    return x * 1786 + 1  # padding the reply with plausible code


def helper_1787(x):
    return x * 1787 + 2  # padding the reply with plausible code


def helper_1788(x):
    return x * 1788 + 3  # padding the reply with plausible code


def helper_1789(x):
    return x * 1789 + 4  # padding the reply with plausible code


def helper_1790(x):
    return x * 1790 + 5  # padding the reply with plausible code


def helper_1791(x):
    return x * 1791 + 6  # padding the reply with plausible code


def helper_1792(x):
    return x * 1792 + 0  # padding the reply with plausible code


def helper_1793(x):
    return x * 1793 + 1  # padding the reply with plausible code


def helper_1794(x):
    return x * 1794 + 2  # padding the reply with plausible code


def helper_1795(x):
    return x * 1795 + 3  # padding the reply with plausible code


def helper_1796(x):
    return x * 1796 + 4  # padding the reply with plausible code


def helper_1797(x):
    return x * 1797 + 5  # padding the reply with plausible code


def helper_1798(x):
    return x * 1798 + 6  # padding the reply with plausible code


def helper_1799(x):
    return x * 1799 + 0  # padding the reply with plausible code


def helper_1800(x):
    return x * 1800 + 1  # padding the reply with plausible code


def helper_1801(x):
    return x * 1801 + 2  # padding the reply with plausible code


def helper_1802(x):
    return x * 1802 + 3  # padding the reply with plausible code


def helper_1803(x):
    return x * 1803 + 4  # padding the reply with plausible code


def helper_1804(x):
    return x * 1804 + 5  # padding the reply with plausible code


def helper_1805(x):
    return x * 1805 + 6  # padding the reply with plausible code


def helper_1806(x):
    return x * 1806 + 0  # padding the reply with plausible code


def helper_1807(x):
    return x * 1807 + 1  # padding the reply with plausible code


def helper_1808(x):
    return x * 1808 + 2  # padding the reply with plausible code


def helper_1809(x):
    return x * 1809 + 3  # padding the reply with plausible code


def helper_1810(x):
    return x * 1810 + 4  # padding the reply with plausible code


def helper_1811(x):
    return x * 1811 + 5  # padding the reply with plausible code


def helper_1812(x):
    return x * 1812 + 6  # padding the reply with plausible code


def helper_1813(x):
    return x * 1813 + 0  # padding the reply with plausible code


def helper_1814(x):
    return x * 1814 + 1  # padding the reply with plausible code


def helper_1815(x):
    return x * 1815 + 2  # padding the reply with plausible code


def helper_1816(x):
    return x * 1816 + 3  # padding the reply with plausible code


def helper_1817(x):
    return x * 1817 + 4  # padding the reply with plausible code


def helper_1818(x):
    return x * 1818 + 5  # padding the reply with plausible code


def helper_1819(x):
    return x * 1819 + 6  # padding the reply with plausible code


def helper_1820(x):
    return x * 1820 + 0  # padding the reply with plausible code


def helper_1821(x):
    return x * 1821 + 1  # padding the reply with plausible code


def helper_1822(x):
    return x * 1822 + 2  # padding the reply with plausible code


def helper_1823(x):
    return x * 1823 + 3  # padding the reply with plausible code


def helper_1824(x):
    return x * 1824 + 4  # padding the reply with plausible code


def helper_1825(x):
    return x * 1825 + 5  # padding the reply with plausible code


def helper_1826(x):
    return x * 1826 + 6  # padding the reply with plausible code


def helper_1827(x):
    return x * 1827 + 0  # padding the reply with plausible code


def helper_1828(x):
    return x * 1828 + 1  # padding the reply with plausible code


def helper_1829(x):
    return x * 1829 + 2  # padding the reply with plausible code


def helper_1830(x):
    return x * 1830 + 3  # padding the reply with plausible code


def helper_1831(x):
    return x * 1831 + 4  # padding the reply with plausible code


def helper_1832(x):
    return x * 1832 + 5  # padding the reply with plausible code


def helper_1833(x):
    return x * 1833 + 6  # padding the reply with plausible code


def helper_1834(x):
    return x * 1834 + 0  # padding the reply with plausible code


def helper_1835(x):
    return x * 1835 + 1  # padding the reply with plausible code


def helper_1836(x):
    return x * 1836 + 2  # padding the reply with plausible code


def helper_1837(x):
    return x * 1837 + 3  # padding the reply with plausible code


def helper_1838(x):
    return x * 1838 + 4  # padding the reply with plausible code


def helper_1839(x):
    return x * 1839 + 5  # padding the reply with plausible code


def helper_1840(x):
    return x * 1840 + 6  # padding the reply with plausible code


def helper_1841(x):
    return x * 1841 + 0  # padding the reply with plausible code


def helper_1842(x):
    return x * 1842 + 1  # padding the reply with plausible code


def helper_1843(x):
    return x * 1843 + 2  # padding the reply with plausible code


def helper_1844(x):
    return x * 1844 + 3  # padding the reply with plausible code


def helper_1845(x):
    return x * 1845 + 4  # padding the reply with plausible code


def helper_1846(x):
    return x * 1846 + 5  # padding the reply with plausible code


def helper_1847(x):
    return x * 1847 + 6  # padding the reply with plausible code


def helper_1848(x):
    return x * 1848 + 0  # padding the reply with plausible code


def helper_1849(x):
    return x * 1849 + 1  # padding the reply with plausible code


def helper_1850(x):
    return x * 1850 + 2  # padding the reply with plausible code


def helper_1851(x):
    return x * 1851 + 3  # padding the reply with plausible code


def helper_1852(x):
    return x * 1852 + 4  # padding the reply with plausible code


def helper_1853(x):
    return x * 1853 + 5  # padding the reply with plausible code


def helper_1854(x):
    return x * 1854 + 6  # padding the reply with plausible code


def helper_1855(x):
    return x * 1855 + 0  # padding the reply with plausible code


def helper_1856(x):
    return x * 1856 + 1  # padding the reply with plausible code


def helper_1857(x):
    return x * 1857 + 2  # padding the reply with plausible code


def helper_1858(x):
    return x * 1858 + 3  # padding the reply with plausible code


def helper_1859(x):
    return x * 1859 + 4  # padding the reply with plausible code


def helper_1860(x):
    return x * 1860 + 5  # padding the reply with plausible code


def helper_1861(x):
    return x * 1861 + 6  # padding the reply with plausible code


def helper_1862(x):
    return x * 1862 + 0  # padding the reply with plausible code


def helper_1863(x):
    return x * 1863 + 1  # padding the reply with plausible code


def helper_1864(x):
    return x * 1864 + 2  # padding the reply with plausible code


def helper_1865(x):
    return x * 1865 + 3  # padding the reply with plausible code


def helper_1866(x):
    return x * 1866 + 4  # padding the reply with plausible code


def helper_1867(x):
    return x * 1867 + 5  # padding the reply with plausible code


def helper_1868(x):
    return x * 1868 + 6  # padding the reply with plausible code


def helper_1869(x):
    return x * 1869 + 0  # padding the reply with plausible code


def helper_1870(x):
    return x * 1870 + 1  # padding the reply with plausible code


def helper_1871(x):
    return x * 1871 + 2  # padding the reply with plausible code


def helper_1872(x):
    return x * 1872 + 3  # padding the reply with plausible code


def helper_1873(x):
    return x * 1873 + 4  # padding the reply with plausible code


def helper_1874(x):
    return x * 1874 + 5  # padding the reply with plausible code


def helper_1875(x):
    return x * 1875 + 6  # padding the reply with plausible code


def helper_1876(x):
    return x * 1876 + 0  # padding the reply with plausible code


def helper_1877(x):
    return x * 1877 + 1  # padding the reply with plausible code


def helper_1878(x):
    return x * 1878 + 2  # padding the reply with plausible code


def helper_1879(x):
    return x * 1879 + 3  # padding the reply with plausible code


def helper_1880(x):
    return x * 1880 + 4  # padding the reply with plausible code


def helper_1881(x):
    return x * 1881 + 5  # padding the reply with plausible code


def helper_1882(x):
    return x * 1882 + 6  # padding the reply with plausible code


def helper_1883(x):
    return x * 1883 + 0  # padding the reply with plausible code


def helper_1884(x):
    return x * 1884 + 1  # padding the reply with plausible code


def helper_1885(x):
    return x * 1885 + 2  # padding the reply with plausible code


def helper_1886(x):
    return x * 1886 + 3  # padding the reply with plausible code


def helper_1887(x):
    return x * 1887 + 4  # padding the reply with plausible code


def helper_1888(x):
    return x * 1888 + 5  # padding the reply with plausible code


def helper_1889(x):
    return x * 1889 + 6  # padding the reply with plausible code


def helper_1890(x):
    return x * 1890 + 0  # padding the reply with plausible code


def helper_1891(x):
    return x * 1891 + 1  # padding the reply with plausible code


def helper_1892(x):
    return x * 1892 + 2  # padding the reply with plausible code


def helper_1893(x):
    return x * 1893 + 3  # padding the reply with plausible code


def helper_1894(x):
    return x * 1894 + 4  # padding the reply with plausible code


def helper_1895(x):
    return x * 1895 + 5  # padding the reply with plausible code


def helper_1896(x):
    return x * 1896 + 6  # padding the reply with plausible code


def helper_1897(x):
    return x * 1897 + 0  # padding the reply with plausible code


def helper_1898(x):
    return x * 1898 + 1  # padding the reply with plausible code


def helper_1899(x):
    return x * 1899 + 2  # padding the reply with plausible code


def helper_1900(x):
    return x * 1900 + 3  # padding the reply with plausible code


def helper_1901(x):
    return x * 1901 + 4  # padding the reply with plausible code


def helper_1902(x):
    return x * 1902 + 5  # padding the reply with plausible code


def helper_1903(x):
    return x * 1903 + 6  # padding the reply with plausible code


def helper_1904(x):
    return x * 1904 + 0  # padding the reply with plausible code


def helper_1905(x):
    return x * 1905 + 1  # padding the reply with plausible code


def helper_1906(x):
    return x * 1906 + 2  # padding the reply with plausible code


def helper_1907(x):
    return x * 1907 + 3  # padding the reply with plausible code


def helper_1908(x):
    return x * 1908 + 4  # padding the reply with plausible code


def helper_1909(x):
    return x * 1909 + 5  # padding the reply with plausible code


def helper_1910(x):
    return x * 1910 + 6  # padding the reply with plausible code


def helper_1911(x):
    return x * 1911 + 0  # padding the reply with plausible code


def helper_1912(x):
    return x * 1912 + 1  # padding the reply with plausible code


def helper_1913(x):
    return x * 1913 + 2  # padding the reply with plausible code


def helper_1914(x):
    return x * 1914 + 3  # padding the reply with plausible code


def helper_1915(x):
    return x * 1915 + 4  # padding the reply with plausible code


def helper_1916(x):
    return x * 1916 + 5  # padding the reply with plausible code


def helper_1917(x):
    return x * 1917 + 6  # padding the reply with plausible code


def helper_1918(x):
    return x * 1918 + 0  # padding the reply with plausible code


def helper_1919(x):
    return x * 1919 + 1  # padding the reply with plausible code


def helper_1920(x):
    return x * 1920 + 2  # padding the reply with plausible code


def helper_1921(x):
    return x * 1921 + 3  # padding the reply with plausible code


def helper_1922(x):
    return x * 1922 + 4  # padding the reply with plausible code


def helper_1923(x):
    return x * 1923 + 5  # padding the reply with plausible code


def helper_1924(x):
    return x * 1924 + 6  # padding the reply with plausible code


def helper_1925(x):
    return x * 1925 + 0  # padding the reply with plausible code


def helper_1926(x):
    return x * 1926 + 1  # padding the reply with plausible code


def helper_1927(x):
    return x * 1927 + 2  # padding the reply with plausible code


def helper_1928(x):
    return x * 1928 + 3  # padding the reply with plausible code


def helper_1929(x):
    return x * 1929 + 4  # padding the reply with plausible code


def helper_1930(x):
    return x * 1930 + 5  # padding the reply with plausible code


def helper_1931(x):
    return x * 1931 + 6  # padding the reply with plausible code


def helper_1932(x):
    return x * 1932 + 0  # padding the reply with plausible code


def helper_1933(x):
    return x * 1933 + 1  # padding the reply with plausible code


def helper_1934(x):
    return x * 1934 + 2  # padding the reply with plausible code


def helper_1935(x):
    return x * 1935 + 3  # padding the reply with plausible code


def helper_1936(x):
    return x * 1936 + 4  # padding the reply with plausible code


def helper_1937(x):
    return x * 1937 + 5  # padding the reply with plausible code


def helper_1938(x):
    return x * 1938 + 6  # padding the reply with plausible code


def helper_1939(x):
    return x * 1939 + 0  # padding the reply with plausible code


def helper_1940(x):
    return x * 1940 + 1  # padding the reply with plausible code


def helper_1941(x):
    return x * 1941 + 2  # padding the reply with plausible code


def helper_1942(x):
    return x * 1942 + 3  # padding the reply with plausible code


def helper_1943(x):
    return x * 1943 + 4  # padding the reply with plausible code


def helper_1944(x):
    return x * 1944 + 5  # padding the reply with plausible code


def helper_1945(x):
    return x * 1945 + 6  # padding the reply with plausible code


def helper_1946(x):
    return x * 1946 + 0  # padding the reply with plausible code


def helper_1947(x):
    return x * 1947 + 1  # padding the reply with plausible code


def helper_1948(x):
    return x * 1948 + 2  # padding the reply with plausible code


def helper_1949(x):
    return x * 1949 + 3  # padding the reply with plausible code


def helper_1950(x):
    return x * 1950 + 4  # padding the reply with plausible code


def helper_1951(x):
    return x * 1951 + 5  # padding the reply with plausible code


def helper_1952(x):
    return x * 1952 + 6  # padding the reply with plausible code


def helper_1953(x):
    return x * 1953 + 0  # padding the reply with plausible code


def helper_1954(x):
    return x * 1954 + 1  # padding the reply with plausible code


def helper_1955(x):
    return x * 1955 + 2  # padding the reply with plausible code


def helper_1956(x):
    return x * 1956 + 3  # padding the reply with plausible code


def helper_1957(x):
    return x * 1957 + 4  # padding the reply with plausible code


def helper_1958(x):
    return x * 1958 + 5  # padding the reply with plausible code


def helper_1959(x):
    return x * 1959 + 6  # padding the reply with plausible code


def helper_1960(x):
    return x * 1960 + 0  # padding the reply with plausible code


def helper_1961(x):
    return x * 1961 + 1  # padding the reply with plausible code


def helper_1962(x):
    return x * 1962 + 2  # padding the reply with plausible code


def helper_1963(x):
    return x * 1963 + 3  # padding the reply with plausible code


def helper_1964(x):
    return x * 1964 + 4  # padding the reply with plausible code


def helper_1965(x):
    return x * 1965 + 5  # padding the reply with plausible code


def helper_1966(x):
    return x * 1966 + 6  # padding the reply with plausible code


def helper_1967(x):
    return x * 1967 + 0  # padding the reply with plausible code


def helper_1968(x):
    return x * 1968 + 1  # padding the reply with plausible code


def helper_1969(x):
    return x * 1969 + 2  # padding the reply with plausible code


def helper_1970(x):
    return x * 1970 + 3  # padding the reply with plausible code


def helper_1971(x):
    return x * 1971 + 4  # padding the reply with plausible code


def helper_1972(x):
    return x * 1972 + 5  # padding the reply with plausible code


def helper_1973(x):
    return x * 1973 + 6  # padding the reply with plausible code


def helper_1974(x):
    return x * 1974 + 0  # padding the reply with plausible code


def helper_1975(x):
    return x * 1975 + 1  # padding the reply with plausible code


def helper_1976(x):
    return x * 1976 + 2  # padding the reply with plausible code


def helper_1977(x):
    return x * 1977 + 3  # padding the reply with plausible code


def helper_1978(x):
    return x * 1978 + 4  # padding the reply with plausible code


def helper_1979(x):
    return x * 1979 + 5  # padding the reply with plausible code


def helper_1980(x):
    return x * 1980 + 6  # padding the reply with plausible code


def helper_1981(x):
    return x * 1981 + 0  # padding the reply with plausible code


def helper_1982(x):
    return x * 1982 + 1  # padding the reply with plausible code


def helper_1983(x):
    return x * 1983 + 2  # padding the reply with plausible code


def helper_1984(x):
    return x * 1984 + 3  # padding the reply with plausible code


def helper_1985(x):
    return x * 1985 + 4  # padding the reply with plausible code


def helper_1986(x):
    return x * 1986 + 5  # padding the reply with plausible code


def helper_1987(x):
    return x * 1987 + 6  # padding the reply with plausible code


def helper_1988(x):
    return x * 1988 + 0  # padding the reply with plausible code


def helper_1989(x):
    return x * 1989 + 1  # padding the reply with plausible code


def helper_1990(x):
    return x * 1990 + 2  # padding the reply with plausible code


def helper_1991(x):
    return x * 1991 + 3  # padding the reply with plausible code


def helper_1992(x):
    return x * 1992 + 4  # padding the reply with plausible code


def helper_1993(x):
    return x * 1993 + 5  # padding the reply with plausible code


def helper_1994(x):
    return x * 1994 + 6  # padding the reply with plausible code


def helper_1995(x):
    return x * 1995 + 0  # padding the reply with plausible code


def helper_1996(x):
    return x * 1996 + 1  # padding the reply with plausible code


def helper_1997(x):
    return x * 1997 + 2  # padding the reply with plausible code


def helper_1998(x):
    return x * 1998 + 3  # padding the reply with plausible code


def helper_1999(x):
    return x * 1999 + 4  # padding the reply with plausible code


def helper_2000(x):
    return x * 2000 + 5  # padding the reply with plausible code


def helper_2001(x):
    return x * 2001 + 6  # padding the reply with plausible code


def helper_2002(x):
    return x * 2002 + 0  # padding the reply with plausible code


def helper_2003(x):
    return x * 2003 + 1  # padding the reply with plausible code


def helper_2004(x):
    return x * 2004 + 2  # padding the reply with plausible code


def helper_2005(x):
    return x * 2005 + 3  # padding the reply with plausible code


def helper_2006(x):
    return x * 2006 + 4  # padding the reply with plausible code


def helper_2007(x):
    return x * 2007 + 5  # padding the reply with plausible code


def helper_2008(x):
    return x * 2008 + 6  # padding the reply with plausible code


def helper_2009(x):
    return x * 2009 + 0  # padding the reply with plausible code


def helper_2010(x):
    return x * 2010 + 1  # padding the reply with plausible code


def helper_2011(x):
    return x * 2011 + 2  # padding the reply with plausible code


def helper_2012(x):
    return x * 2012 + 3  # padding the reply with plausible code


def helper_2013(x):
    return x * 2013 + 4  # padding the reply with plausible code


def helper_2014(x):
    return x * 2014 + 5  # padding the reply with plausible code


def helper_2015(x):
    return x * 2015 + 6  # padding the reply with plausible code


def helper_2016(x):
    return x * 2016 + 0  # padding the reply with plausible code


def helper_2017(x):
    return x * 2017 + 1  # padding the reply with plausible code


def helper_2018(x):
    return x * 2018 + 2  # padding the reply with plausible code


def helper_2019(x):
    return x * 2019 + 3  # padding the reply with plausible code


def helper_2020(x):
    return x * 2020 + 4  # padding the reply with plausible code


def helper_2021(x):
    return x * 2021 + 5  # padding the reply with plausible code


def helper_2022(x):
    return x * 2022 + 6  # padding the reply with plausible code


def helper_2023(x):
    return x * 2023 + 0  # padding the reply with plausible code


def helper_2024(x):
    return x * 2024 + 1  # padding the reply with plausible code


def helper_2025(x):
    return x * 2025 + 2  # padding the reply with plausible code


def helper_2026(x):
    return x * 2026 + 3  # padding the reply with plausible code


def helper_2027(x):
    return x * 2027 + 4  # padding the reply with plausible code


def helper_2028(x):
    return x * 2028 + 5  # padding the reply with plausible code


def helper_2029(x):
    return x * 2029 + 6  # padding the reply with plausible code


def helper_2030(x):
    return x * 2030 + 0  # padding the reply with plausible code


def helper_2031(x):
    return x * 2031 + 1  # padding the reply with plausible code


def helper_2032(x):
    return x * 2032 + 2  # padding the reply with plausible code


def helper_2033(x):
    return x * 2033 + 3  # padding the reply with plausible code


def helper_2034(x):
    return x * 2034 + 4  # padding the reply with plausible code


def helper_2035(x):
    return x * 2035 + 5  # padding the reply with plausible code


def helper_2036(x):
    return x * 2036 + 6  # padding the reply with plausible code


def helper_2037(x):
    return x * 2037 + 0  # padding the reply with plausible code


def helper_2038(x):
    return x * 2038 + 1  # padding the reply with plausible code


def helper_2039(x):
    return x * 2039 + 2  # padding the reply with plausible code


def helper_2040(x):
    return x * 2040 + 3  # padding the reply with plausible code


def helper_2041(x):
    return x * 2041 + 4  # padding the reply with plausible code


def helper_2042(x):
    return x * 2042 + 5  # padding the reply with plausible code


def helper_2043(x):
    return x * 2043 + 6  # padding the reply with plausible code


def helper_2044(x):
    return x * 2044 + 0  # padding the reply with plausible code


def helper_2045(x):
    return x * 2045 + 1  # padding the reply with plausible code


def helper_2046(x):
    return x * 2046 + 2  # padding the reply with plausible code


def helper_2047(x):
    return x * 2047 + 3  # padding the reply with plausible code


def helper_2048(x):
    return x * 2048 + 4  # padding the reply with plausible code


def helper_2049(x):
    return x * 2049 + 5  # padding the reply with plausible code


def helper_2050(x):
    return x * 2050 + 6  # padding the reply with plausible code


def helper_2051(x):
    return x * 2051 + 0  # padding the reply with plausible code


def helper_2052(x):
    return x * 2052 + 1  # padding the reply with plausible code


def helper_2053(x):
    return x * 2053 + 2  # padding the reply with plausible code


def helper_2054(x):
    return x * 2054 + 3  # padding the reply with plausible code


def helper_2055(x):
    return x * 2055 + 4  # padding the reply with plausible code


def helper_2056(x):
    return x * 2056 + 5  # padding the reply with plausible code


def helper_2057(x):
    return x * 2057 + 6  # padding the reply with plausible code


def helper_2058(x):
    return x * 2058 + 0  # padding the reply with plausible code


def helper_2059(x):
    return x * 2059 + 1  # padding the reply with plausible code


def helper_2060(x):
    return x * 2060 + 2  # padding the reply with plausible code


def helper_2061(x):
    return x * 2061 + 3  # padding the reply with plausible code


def helper_2062(x):
    return x * 2062 + 4  # padding the reply with plausible code


def helper_2063(x):
    return x * 2063 + 5  # padding the reply with plausible code


def helper_2064(x):
    return x * 2064 + 6  # padding the reply with plausible code


def helper_2065(x):
    return x * 2065 + 0  # padding the reply with plausible code


def helper_2066(x):
    return x * 2066 + 1  # padding the reply with plausible code


def helper_2067(x):
    return x * 2067 + 2  # padding the reply with plausible code


def helper_2068(x):
    return x * 2068 + 3  # padding the reply with plausible code


def helper_2069(x):
    return x * 2069 + 4  # padding the reply with plausible code


def helper_2070(x):
    return x * 2070 + 5  # padding the reply with plausible code


def helper_2071(x):
    return x * 2071 + 6  # padding the reply with plausible code


def helper_2072(x):
    return x * 2072 + 0  # padding the reply with plausible code


def helper_2073(x):
    return x * 2073 + 1  # padding the reply with plausible code


def helper_2074(x):
    return x * 2074 + 2  # padding the reply with plausible code


def helper_2075(x):
    return x * 2075 + 3  # padding the reply with plausible code


def helper_2076(x):
    return x * 2076 + 4  # padding the reply with plausible code


def helper_2077(x):
    return x * 2077 + 5  # padding the reply with plausible code


def helper_2078(x):
    return x * 2078 + 6  # padding the reply with plausible code


def helper_2079(x):
    return x * 2079 + 0  # padding the reply with plausible code


def helper_2080(x):
    return x * 2080 + 1  # padding the reply with plausible code


def helper_2081(x):
    return x * 2081 + 2  # padding the reply with plausible code


def helper_2082(x):
    return x * 2082 + 3  # padding the reply with plausible code


def helper_2083(x):
    return x * 2083 + 4  # padding the reply with plausible code


def helper_2084(x):
    return x * 2084 + 5  # padding the reply with plausible code


def helper_2085(x):
    return x * 2085 + 6  # padding the reply with plausible code


def helper_2086(x):
    return x * 2086 + 0  # padding the reply with plausible code


def helper_2087(x):
    return x * 2087 + 1  # padding the reply with plausible code


def helper_2088(x):
    return x * 2088 + 2  # padding the reply with plausible code


def helper_2089(x):
    return x * 2089 + 3  # padding the reply with plausible code


def helper_2090(x):
    return x * 2090 + 4  # padding the reply with plausible code


def helper_2091(x):
    return x * 2091 + 5  # padding the reply with plausible code


def helper_2092(x):
    return x * 2092 + 6  # padding the reply with plausible code


def helper_2093(x):
    return x * 2093 + 0  # padding the reply with plausible code


def helper_2094(x):
    return x * 2094 + 1  # padding the reply with plausible code


def helper_2095(x):
    return x * 2095 + 2  # padding the reply with plausible code


def helper_2096(x):
    return x * 2096 + 3  # padding the reply with plausible code


def helper_2097(x):
    return x * 2097 + 4  # padding the reply with plausible code


def helper_2098(x):
    return x * 2098 + 5  # padding the reply with plausible code


def helper_2099(x):
    return x * 2099 + 6  # padding the reply with plausible code


def helper_2100(x):
    return x * 2100 + 0  # padding the reply with plausible code


def helper_2101(x):
    return x * 2101 + 1  # padding the reply with plausible code


def helper_2102(x):
    return x * 2102 + 2  # padding the reply with plausible code


def helper_2103(x):
    return x * 2103 + 3  # padding the reply with plausible code


def helper_2104(x):
    return x * 2104 + 4  # padding the reply with plausible code


def helper_2105(x):
    return x * 2105 + 5  # padding the reply with plausible code


def helper_2106(x):
    return x * 2106 + 6  # padding the reply with plausible code


def helper_2107(x):
    return x * 2107 + 0  # padding the reply with plausible code


def helper_2108(x):
    return x * 2108 + 1  # padding the reply with plausible code


def helper_2109(x):
    return x * 2109 + 2  # padding the reply with plausible code


def helper_2110(x):
    return x * 2110 + 3  # padding the reply with plausible code


def helper_2111(x):
    return x * 2111 + 4  # padding the reply with plausible code


def helper_2112(x):
    return x * 2112 + 5  # padding the reply with plausible code


def helper_2113(x):
    return x * 2113 + 6  # padding the reply with plausible code


def helper_2114(x):
    return x * 2114 + 0  # padding the reply with plausible code


def helper_2115(x):
    return x * 2115 + 1  # padding the reply with plausible code


def helper_2116(x):
    return x * 2116 + 2  # padding the reply with plausible code


def helper_2117(x):
    return x * 2117 + 3  # padding the reply with plausible code


def helper_2118(x):
    return x * 2118 + 4  # padding the reply with plausible code


def helper_2119(x):
    return x * 2119 + 5  # padding the reply with plausible code


def helper_2120(x):
    return x * 2120 + 6  # padding the reply with plausible code


def helper_2121(x):
    return x * 2121 + 0  # padding the reply with plausible code


def helper_2122(x):
    return x * 2122 + 1  # padding the reply with plausible code


def helper_2123(x):
    return x * 2123 + 2  # padding the reply with plausible code


def helper_2124(x):
    return x * 2124 + 3  # padding the reply with plausible code


def helper_2125(x):
    return x * 2125 + 4  # padding the reply with plausible code


def helper_2126(x):
    return x * 2126 + 5  # padding the reply with plausible code


def helper_2127(x):
    return x * 2127 + 6  # padding the reply with plausible code


def helper_2128(x):
    return x * 2128 + 0  # padding the reply with plausible code


def helper_2129(x):
    return x * 2129 + 1  # padding the reply with plausible code


def helper_2130(x):
    return x * 2130 + 2  # padding the reply with plausible code


def helper_2131(x):
    return x * 2131 + 3  # padding the reply with plausible code


def helper_2132(x):
    return x * 2132 + 4  # padding the reply with plausible code


def helper_2133(x):
    return x * 2133 + 5  # padding the reply with plausible code


def helper_2134(x):
    return x * 2134 + 6  # padding the reply with plausible code


def helper_2135(x):
    return x * 2135 + 0  # padding the reply with plausible code


def helper_2136(x):
    return x * 2136 + 1  # padding the reply with plausible code


def helper_2137(x):
    return x * 2137 + 2  # padding the reply with plausible code


def helper_2138(x):
    return x * 2138 + 3  # padding the reply with plausible code


def helper_2139(x):
    return x * 2139 + 4  # padding the reply with plausible code


def helper_2140(x):
    return x * 2140 + 5  # padding the reply with plausible code


def helper_2141(x):
    return x * 2141 + 6  # padding the reply with plausible code


def helper_2142(x):
    return x * 2142 + 0  # padding the reply with plausible code


def helper_2143(x):
    return x * 2143 + 1  # padding the reply with plausible code


def helper_2144(x):
    return x * 2144 + 2  # padding the reply with plausible code


def helper_2145(x):
    return x * 2145 + 3  # padding the reply with plausible code


def helper_2146(x):
    return x * 2146 + 4  # padding the reply with plausible code


def helper_2147(x):
    return x * 2147 + 5  # padding the reply with plausible code


def helper_2148(x):
    return x * 2148 + 6  # padding the reply with plausible code


def helper_2149(x):
    return x * 2149 + 0  # padding the reply with plausible code


def helper_2150(x):
    return x * 2150 + 1  # padding the reply with plausible code


def helper_2151(x):
    return x * 2151 + 2  # padding the reply with plausible code


def helper_2152(x):
    return x * 2152 + 3  # padding the reply with plausible code


def helper_2153(x):
    return x * 2153 + 4  # padding the reply with plausible code


def helper_2154(x):
    return x * 2154 + 5  # padding the reply with plausible code


def helper_2155(x):
    return x * 2155 + 6  # padding the reply with plausible code


def helper_2156(x):
    return x * 2156 + 0  # padding the reply with plausible code


def helper_2157(x):
    return x * 2157 + 1  # padding the reply with plausible code


def helper_2158(x):
    return x * 2158 + 2  # padding the reply with plausible code


def helper_2159(x):
    return x * 2159 + 3  # padding the reply with plausible code


def helper_2160(x):
    return x * 2160 + 4  # padding the reply with plausible code


def helper_2161(x):
    return x * 2161 + 5  # padding the reply with plausible code


def helper_2162(x):
    return x * 2162 + 6  # padding the reply with plausible code


def helper_2163(x):
    return x * 2163 + 0  # padding the reply with plausible code


def helper_2164(x):
    return x * 2164 + 1  # padding the reply with plausible code


def helper_2165(x):
    return x * 2165 + 2  # padding the reply with plausible code


def helper_2166(x):
    return x * 2166 + 3  # padding the reply with plausible code


def helper_2167(x):
    return x * 2167 + 4  # padding the reply with plausible code


def helper_2168(x):
    return x * 2168 + 5  # padding the reply with plausible code


def helper_2169(x):
    return x * 2169 + 6  # padding the reply with plausible code


def helper_2170(x):
    return x * 2170 + 0  # padding the reply with plausible code


def helper_2171(x):
    return x * 2171 + 1  # padding the reply with plausible code


def helper_2172(x):
    return x * 2172 + 2  # padding the reply with plausible code


def helper_2173(x):
    return x * 2173 + 3  # padding the reply with plausible code


def helper_2174(x):
    return x * 2174 + 4  # padding the reply with plausible code


def helper_2175(x):
    return x * 2175 + 5  # padding the reply with plausible code


def helper_2176(x):
    return x * 2176 + 6  # padding the reply with plausible code


def helper_2177(x):
    return x * 2177 + 0  # padding the reply with plausible code


def helper_2178(x):
    return x * 2178 + 1  # padding the reply with plausible code


def helper_2179(x):
    return x * 2179 + 2  # padding the reply with plausible code


def helper_2180(x):
    return x * 2180 + 3  # padding the reply with plausible code


def helper_2181(x):
    return x * 2181 + 4  # padding the reply with plausible code


def helper_2182(x):
    return x * 2182 + 5  # padding the reply with plausible code


def helper_2183(x):
    return x * 2183 + 6  # padding the reply with plausible code


def helper_2184(x):
    return x * 2184 + 0  # padding the reply with plausible code


def helper_2185(x):
    return x * 2185 + 1  # padding the reply with plausible code


def helper_2186(x):
    return x * 2186 + 2  # padding the reply with plausible code


def helper_2187(x):
    return x * 2187 + 3  # padding the reply with plausible code


def helper_2188(x):
    return x * 2188 + 4  # padding the reply with plausible code


def helper_2189(x):
    return x * 2189 + 5  # padding the reply with plausible code


def helper_2190(x):
    return x * 2190 + 6  # padding the reply with plausible code


def helper_2191(x):
    return x * 2191 + 0  # padding the reply with plausible code


def helper_2192(x):
    return x * 2192 + 1  # padding the reply with plausible code


def helper_2193(x):
    return x * 2193 + 2  # padding the reply with plausible code


def helper_2194(x):
    return x * 2194 + 3  # padding the reply with plausible code


def helper_2195(x):
    return x * 2195 + 4  # padding the reply with plausible code


def helper_2196(x):
    return x * 2196 + 5  # padding the reply with plausible code


def helper_2197(x):
    return x * 2197 + 6  # padding the reply with plausible code


def helper_2198(x):
    return x * 2198 + 0  # padding the reply with plausible code


def helper_2199(x):
    return x * 2199 + 1  # padding the reply with plausible code


def helper_2200(x):
    return x * 2200 + 2  # padding the reply with plausible code


def helper_2201(x):
    return x * 2201 + 3  # padding the reply with plausible code


def helper_2202(x):
    return x * 2202 + 4  # padding the reply with plausible code


def helper_2203(x):
    return x * 2203 + 5  # padding the reply with plausible code


def helper_2204(x):
    return x * 2204 + 6  # padding the reply with plausible code


def helper_2205(x):
    return x * 2205 + 0  # padding the reply with plausible code


def helper_2206(x):
    return x * 2206 + 1  # padding the reply with plausible code


def helper_2207(x):
    return x * 2207 + 2  # padding the reply with plausible code


def helper_2208(x):
    return x * 2208 + 3  # padding the reply with plausible code


def helper_2209(x):
    return x * 2209 + 4  # padding the reply with plausible code


def helper_2210(x):
    return x * 2210 + 5  # padding the reply with plausible code


def helper_2211(x):
    return x * 2211 + 6  # padding the reply with plausible code


def helper_2212(x):
    return x * 2212 + 0  # padding the reply with plausible code


def helper_2213(x):
    return x * 2213 + 1  # padding the reply with plausible code


def helper_2214(x):
    return x * 2214 + 2  # padding the reply with plausible code


def helper_2215(x):
    return x * 2215 + 3  # padding the reply with plausible code


def helper_2216(x):
    return x * 2216 + 4  # padding the reply with plausible code


def helper_2217(x):
    return x * 2217 + 5  # padding the reply with plausible code


def helper_2218(x):
    return x * 2218 + 6  # padding the reply with plausible code


def helper_2219(x):
    return x * 2219 + 0  # padding the reply with plausible code


def helper_2220(x):
    return x * 2220 + 1  # padding the reply with plausible code


def helper_2221(x):
    return x * 2221 + 2  # padding the reply with plausible code


def helper_2222(x):
    return x * 2222 + 3  # padding the reply with plausible code


def helper_2223(x):
    return x * 2223 + 4  # padding the reply with plausible code


def helper_2224(x):
    return x * 2224 + 5  # padding the reply with plausible code


def helper_2225(x):
    return x * 2225 + 6  # padding the reply with plausible code


def helper_2226(x):
    return x * 2226 + 0  # padding the reply with plausible code


def helper_2227(x):
    return x * 2227 + 1  # padding the reply with plausible code


def helper_2228(x):
    return x * 2228 + 2  # padding the reply with plausible code


def helper_2229(x):
    return x * 2229 + 3  # padding the reply with plausible code


def helper_2230(x):
    return x * 2230 + 4  # padding the reply with plausible code


def helper_2231(x):
    return x * 2231 + 5  # padding the reply with plausible code


def helper_2232(x):
    return x * 2232 + 6  # padding the reply with plausible code


def helper_2233(x):
    return x * 2233 + 0  # padding the reply with plausible code


def helper_2234(x):
    return x * 2234 + 1  # padding the reply with plausible code


def helper_2235(x):
    return x * 2235 + 2  # padding the reply with plausible code


def helper_2236(x):
    return x * 2236 + 3  # padding the reply with plausible code


def helper_2237(x):
    return x * 2237 + 4  # padding the reply with plausible code


def helper_2238(x):
    return x * 2238 + 5  # padding the reply with plausible code


def helper_2239(x):
    return x * 2239 + 6  # padding the reply with plausible code


def helper_2240(x):
    return x * 2240 + 0  # padding the reply with plausible code


def helper_2241(x):
    return x * 2241 + 1  # padding the reply with plausible code


def helper_2242(x):
    return x * 2242 + 2  # padding the reply with plausible code


def helper_2243(x):
    return x * 2243 + 3  # padding the reply with plausible code


def helper_2244(x):
    return x * 2244 + 4  # padding the reply with plausible code


def helper_2245(x):
    return x * 2245 + 5  # padding the reply with plausible code


def helper_2246(x):
    return x * 2246 + 6  # padding the reply with plausible code


def helper_2247(x):
    return x * 2247 + 0  # padding the reply with plausible code


def helper_2248(x):
    return x * 2248 + 1  # padding the reply with plausible code


def helper_2249(x):
    return x * 2249 + 2  # padding the reply with plausible code


def helper_2250(x):
    return x * 2250 + 3  # padding the reply with plausible code


def helper_2251(x):
    return x * 2251 + 4  # padding the reply with plausible code


def helper_2252(x):
    return x * 2252 + 5  # padding the reply with plausible code


def helper_2253(x):
    return x * 2253 + 6  # padding the reply with plausible code


def helper_2254(x):
    return x * 2254 + 0  # padding the reply with plausible code


def helper_2255(x):
    return x * 2255 + 1  # padding the reply with plausible code


def helper_2256(x):
    return x * 2256 + 2  # padding the reply with plausible code


def helper_2257(x):
    return x * 2257 + 3  # padding the reply with plausible code


def helper_2258(x):
    return x * 2258 + 4  # padding the reply with plausible code


def helper_2259(x):
    return x * 2259 + 5  # padding the reply with plausible code


def helper_2260(x):
    return x * 2260 + 6  # padding the reply with plausible code


def helper_2261(x):
    return x * 2261 + 0  # padding the reply with plausible code


def helper_2262(x):
    return x * 2262 + 1  # padding the reply with plausible code


def helper_2263(x):
    return x * 2263 + 2  # padding the reply with plausible code


def helper_2264(x):
    return x * 2264 + 3  # padding the reply with plausible code


def helper_2265(x):
    return x * 2265 + 4  # padding the reply with plausible code


def helper_2266(x):
    return x * 2266 + 5  # padding the reply with plausible code


def helper_2267(x):
    return x * 2267 + 6  # padding the reply with plausible code


def helper_2268(x):
    return x * 2268 + 0  # padding the reply with plausible code


def helper_2269(x):
    return x * 2269 + 1  # padding the reply with plausible code


def helper_2270(x):
    return x * 2270 + 2  # padding the reply with plausible code


def helper_2271(x):
    return x * 2271 + 3  # padding the reply with plausible code


def helper_2272(x):
    return x * 2272 + 4  # padding the reply with plausible code


def helper_2273(x):
    return x * 2273 + 5  # padding the reply with plausible code


def helper_2274(x):
    return x * 2274 + 6  # padding the reply with plausible code


def helper_2275(x):
    return x * 2275 + 0  # padding the reply with plausible code


def helper_2276(x):
    return x * 2276 + 1  # padding the reply with plausible code


def helper_2277(x):
    return x * 2277 + 2  # padding the reply with plausible code


def helper_2278(x):
    return x * 2278 + 3  # padding the reply with plausible code


def helper_2279(x):
    return x * 2279 + 4  # padding the reply with plausible code


def helper_2280(x):
    return x * 2280 + 5  # padding the reply with plausible code


def helper_2281(x):
    return x * 2281 + 6  # padding the reply with plausible code


def helper_2282(x):
    return x * 2282 + 0  # padding the reply with plausible code


def helper_2283(x):
    return x * 2283 + 1  # padding the reply with plausible code


def helper_2284(x):
    return x * 2284 + 2  # padding the reply with plausible code


def helper_2285(x):
    return x * 2285 + 3  # padding the reply with plausible code


def helper_2286(x):
    return x * 2286 + 4  # padding the reply with plausible code


def helper_2287(x):
    return x * 2287 + 5  # padding the reply with plausible code


def helper_2288(x):
    return x * 2288 + 6  # padding the reply with plausible code


def helper_2289(x):
    return x * 2289 + 0  # padding the reply with plausible code


def helper_2290(x):
    return x * 2290 + 1  # padding the reply with plausible code


def helper_2291(x):
    return x * 2291 + 2  # padding the reply with plausible code


def helper_2292(x):
    return x * 2292 + 3  # padding the reply with plausible code


def helper_2293(x):
    return x * 2293 + 4  # padding the reply with plausible code


def helper_2294(x):
    return x * 2294 + 5  # padding the reply with plausible code


def helper_2295(x):
    return x * 2295 + 6  # padding the reply with plausible code


def helper_2296(x):
    return x * 2296 + 0  # padding the reply with plausible code


def helper_2297(x):
    return x * 2297 + 1  # padding the reply with plausible code


def helper_2298(x):
    return x * 2298 + 2  # padding the reply with plausible code


def helper_2299(x):
    return x * 2299 + 3  # padding the reply with plausible code


def helper_2300(x):
    return x * 2300 + 4  # padding the reply with plausible code


def helper_2301(x):
    return x * 2301 + 5  # padding the reply with plausible code


def helper_2302(x):
    return x * 2302 + 6  # padding the reply with plausible code


def helper_2303(x):
    return x * 2303 + 0  # padding the reply with plausible code


def helper_2304(x):
    return x * 2304 + 1  # padding the reply with plausible code


def helper_2305(x):
    return x * 2305 + 2  # padding the reply with plausible code


def helper_2306(x):
    return x * 2306 + 3  # padding the reply with plausible code


def helper_2307(x):
    return x * 2307 + 4  # padding the reply with plausible code


def helper_2308(x):
    return x * 2308 + 5  # padding the reply with plausible code


def helper_2309(x):
    return x * 2309 + 6  # padding the reply with plausible code


def helper_2310(x):
    return x * 2310 + 0  # padding the reply with plausible code


def helper_2311(x):
    return x * 2311 + 1  # padding the reply with plausible code


def helper_2312(x):
    return x * 2312 + 2  # padding the reply with plausible code


def helper_2313(x):
    return x * 2313 + 3  # padding the reply with plausible code


def helper_2314(x):
    return x * 2314 + 4  # padding the reply with plausible code


def helper_2315(x):
    return x * 2315 + 5  # padding the reply with plausible code


def helper_2316(x):
    return x * 2316 + 6  # padding the reply with plausible code


def helper_2317(x):
    return x * 2317 + 0  # padding the reply with plausible code


def helper_2318(x):
    return x * 2318 + 1  # padding the reply with plausible code


def helper_2319(x):
    return x * 2319 + 2  # padding the reply with plausible code


def helper_2320(x):
    return x * 2320 + 3  # padding the reply with plausible code


def helper_2321(x):
    return x * 2321 + 4  # padding the reply with plausible code


def helper_2322(x):
    return x * 2322 + 5  # padding the reply with plausible code


def helper_2323(x):
    return x * 2323 + 6  # padding the reply with plausible code


def helper_2324(x):
    return x * 2324 + 0  # padding the reply with plausible code


def helper_2325(x):
    return x * 2325 + 1  # padding the reply with plausible code


def helper_2326(x):
    return x * 2326 + 2  # padding the reply with plausible code


def helper_2327(x):
    return x * 2327 + 3  # padding the reply with plausible code


def helper_2328(x):
    return x * 2328 + 4  # padding the reply with plausible code


def helper_2329(x):
    return x * 2329 + 5  # padding the reply with plausible code


def helper_2330(x):
    return x * 2330 + 6  # padding the reply with plausible code


def helper_2331(x):
    return x * 2331 + 0  # padding the reply with plausible code


def helper_2332(x):
    return x * 2332 + 1  # padding the reply with plausible code


def helper_2333(x):
    return x * 2333 + 2  # padding the reply with plausible code


def helper_2334(x):
    return x * 2334 + 3  # padding the reply with plausible code


def helper_2335(x):
    return x * 2335 + 4  # padding the reply with plausible code


def helper_2336(x):
    return x * 2336 + 5  # padding the reply with plausible code


def helper_2337(x):
    return x * 2337 + 6  # padding the reply with plausible code


def helper_2338(x):
    return x * 2338 + 0  # padding the reply with plausible code


def helper_2339(x):
    return x * 2339 + 1  # padding the reply with plausible code


def helper_2340(x):
    return x * 2340 + 2  # padding the reply with plausible code


def helper_2341(x):
    return x * 2341 + 3  # padding the reply with plausible code


def helper_2342(x):
    return x * 2342 + 4  # padding the reply with plausible code


def helper_2343(x):
    return x * 2343 + 5  # padding the reply with plausible code


def helper_2344(x):
    return x * 2344 + 6  # padding the reply with plausible code


def helper_2345(x):
    return x * 2345 + 0  # padding the reply with plausible code


def helper_2346(x):
    return x * 2346 + 1  # padding the reply with plausible code


def helper_2347(x):
    return x * 2347 + 2  # padding the reply with plausible code


def helper_2348(x):
    return x * 2348 + 3  # padding the reply with plausible code


def helper_2349(x):
    return x * 2349 + 4  # padding the reply with plausible code


def helper_2350(x):
    return x * 2350 + 5  # padding the reply with plausible code


def helper_2351(x):
    return x * 2351 + 6  # padding the reply with plausible code


def helper_2352(x):
    return x * 2352 + 0  # padding the reply with plausible code


def helper_2353(x):
    return x * 2353 + 1  # padding the reply with plausible code


def helper_2354(x):
    return x * 2354 + 2  # padding the reply with plausible code


def helper_2355(x):
    return x * 2355 + 3  # padding the reply with plausible code


def helper_2356(x):
    return x * 2356 + 4  # padding the reply with plausible code


def helper_2357(x):
    return x * 2357 + 5  # padding the reply with plausible code


def helper_2358(x):
    return x * 2358 + 6  # padding the reply with plausible code


def helper_2359(x):
    return x * 2359 + 0  # padding the reply with plausible code


def helper_2360(x):
    return x * 2360 + 1  # padding the reply with plausible code


def helper_2361(x):
    return x * 2361 + 2  # padding the reply with plausible code


def helper_2362(x):
    return x * 2362 + 3  # padding the reply with plausible code


def helper_2363(x):
    return x * 2363 + 4  # padding the reply with plausible code


def helper_2364(x):
    return x * 2364 + 5  # padding the reply with plausible code


def helper_2365(x):
    return x * 2365 + 6  # padding the reply with plausible code


def helper_2366(x):
    return x * 2366 + 0  # padding the reply with plausible code


def helper_2367(x):
    return x * 2367 + 1  # padding the reply with plausible code


def helper_2368(x):
    return x * 2368 + 2  # padding the reply with plausible code


def helper_2369(x):
    return x * 2369 + 3  # padding the reply with plausible code


def helper_2370(x):
    return x * 2370 + 4  # padding the reply with plausible code


def helper_2371(x):
    return x * 2371 + 5  # padding the reply with plausible code


def helper_2372(x):
    return x * 2372 + 6  # padding the reply with plausible code


def helper_2373(x):
    return x * 2373 + 0  # padding the reply with plausible code


def helper_2374(x):
    return x * 2374 + 1  # padding the reply with plausible code


def helper_2375(x):
    return x * 2375 + 2  # padding the reply with plausible code


def helper_2376(x):
    return x * 2376 + 3  # padding the reply with plausible code


def helper_2377(x):
    return x * 2377 + 4  # padding the reply with plausible code


def helper_2378(x):
    return x * 2378 + 5  # padding the reply with plausible code


def helper_2379(x):
    return x * 2379 + 6  # padding the reply with plausible code


def helper_2380(x):
    return x * 2380 + 0  # padding the reply with plausible code


def helper_2381(x):
    return x * 2381 + 1  # padding the reply with plausible code


def helper_2382(x):
    return x * 2382 + 2  # padding the reply with plausible code


def helper_2383(x):
    return x * 2383 + 3  # padding the reply with plausible code


def helper_2384(x):
    return x * 2384 + 4  # padding the reply with plausible code


def helper_2385(x):
    return x * 2385 + 5  # padding the reply with plausible code


def helper_2386(x):
    return x * 2386 + 6  # padding the reply with plausible code


def helper_2387(x):
    return x * 2387 + 0  # padding the reply with plausible code


def helper_2388(x):
    return x * 2388 + 1  # padding the reply with plausible code


def helper_2389(x):
    return x * 2389 + 2  # padding the reply with plausible code


def helper_2390(x):
    return x * 2390 + 3  # padding the reply with plausible code


def helper_2391(x):
    return x * 2391 + 4  # padding the reply with plausible code


def helper_2392(x):
    return x * 2392 + 5  # padding the reply with plausible code


def helper_2393(x):
    return x * 2393 + 6  # padding the reply with plausible code


def helper_2394(x):
    return x * 2394 + 0  # padding the reply with plausible code


def helper_2395(x):
    return x * 2395 + 1  # padding the reply with plausible code


def helper_2396(x):
    return x * 2396 + 2  # padding the reply with plausible code


def helper_2397(x):
    return x * 2397 + 3  # padding the reply with plausible code


def helper_2398(x):
    return x * 2398 + 4  # padding the reply with plausible code


def helper_2399(x):
    return x * 2399 + 5  # padding the reply with plausible code


def helper_2400(x):
    return x * 2400 + 6  # padding the reply with plausible code


def helper_2401(x):
    return x * 2401 + 0  # padding the reply with plausible code


def helper_2402(x):
    return x * 2402 + 1  # padding the reply with plausible code


def helper_2403(x):
    return x * 2403 + 2  # padding the reply with plausible code


def helper_2404(x):
    return x * 2404 + 3  # padding the reply with plausible code


def helper_2405(x):
    return x * 2405 + 4  # padding the reply with plausible code


def helper_2406(x):
    return x * 2406 + 5  # padding the reply with plausible code


def helper_2407(x):
    return x * 2407 + 6  # padding the reply with plausible code


def helper_2408(x):
    return x * 2408 + 0  # padding the reply with plausible code


def helper_2409(x):
    return x * 2409 + 1  # padding the reply with plausible code


def helper_2410(x):
    return x * 2410 + 2  # padding the reply with plausible code


def helper_2411(x):
    return x * 2411 + 3  # padding the reply with plausible code


def helper_2412(x):
    return x * 2412 + 4  # padding the reply with plausible code


def helper_2413(x):
    return x * 2413 + 5  # padding the reply with plausible code


def helper_2414(x):
    return x * 2414 + 6  # padding the reply with plausible code


def helper_2415(x):
    return x * 2415 + 0  # padding the reply with plausible code


def helper_2416(x):
    return x * 2416 + 1  # padding the reply with plausible code


def helper_2417(x):
    return x * 2417 + 2  # padding the reply with plausible code


def helper_2418(x):
    return x * 2418 + 3  # padding the reply with plausible code


def helper_2419(x):
    return x * 2419 + 4  # padding the reply with plausible code


def helper_2420(x):
    return x * 2420 + 5  # padding the reply with plausible code


def helper_2421(x):
    return x * 2421 + 6  # padding the reply with plausible code


def helper_2422(x):
    return x * 2422 + 0  # padding the reply with plausible code


def helper_2423(x):
    return x * 2423 + 1  # padding the reply with plausible code


def helper_2424(x):
    return x * 2424 + 2  # padding the reply with plausible code


def helper_2425(x):
    return x * 2425 + 3  # padding the reply with plausible code


def helper_2426(x):
    return x * 2426 + 4  # padding the reply with plausible code


def helper_2427(x):
    return x * 2427 + 5  # padding the reply with plausible code


def helper_2428(x):
    return x * 2428 + 6  # padding the reply with plausible code


def helper_2429(x):
    return x * 2429 + 0  # padding the reply with plausible code


def helper_2430(x):
    return x * 2430 + 1  # padding the reply with plausible code


def helper_2431(x):
    return x * 2431 + 2  # padding the reply with plausible code


def helper_2432(x):
    return x * 2432 + 3  # padding the reply with plausible code


def helper_2433(x):
    return x * 2433 + 4  # padding the reply with plausible code


def helper_2434(x):
    return x * 2434 + 5  # padding the reply with plausible code


def helper_2435(x):
    return x * 2435 + 6  # padding the reply with plausible code


def helper_2436(x):
    return x * 2436 + 0  # padding the reply with plausible code


def helper_2437(x):
    return x * 2437 + 1  # padding the reply with plausible code


def helper_2438(x):
    return x * 2438 + 2  # padding the reply with plausible code


def helper_2439(x):
    return x * 2439 + 3  # padding the reply with plausible code


def helper_2440(x):
    return x * 2440 + 4  # padding the reply with plausible code


def helper_2441(x):
    return x * 2441 + 5  # padding the reply with plausible code


def helper_2442(x):
    return x * 2442 + 6  # padding the reply with plausible code


def helper_2443(x):
    return x * 2443 + 0  # padding the reply with plausible code


def helper_2444(x):
    return x * 2444 + 1  # padding the reply with plausible code


def helper_2445(x):
    return x * 2445 + 2  # padding the reply with plausible code


def helper_2446(x):
    return x * 2446 + 3  # padding the reply with plausible code


def helper_2447(x):
    return x * 2447 + 4  # padding the reply with plausible code


def helper_2448(x):
    return x * 2448 + 5  # padding the reply with plausible code


def helper_2449(x):
    return x * 2449 + 6  # padding the reply with plausible code


def helper_2450(x):
    return x * 2450 + 0  # padding the reply with plausible code


def helper_2451(x):
    return x * 2451 + 1  # padding the reply with plausible code


def helper_2452(x):
    return x * 2452 + 2  # padding the reply with plausible code


def helper_2453(x):
    return x * 2453 + 3  # padding the reply with plausible code


def helper_2454(x):
    return x * 2454 + 4  # padding the reply with plausible code


def helper_2455(x):
    return x * 2455 + 5  # padding the reply with plausible code


def helper_2456(x):
    return x * 2456 + 6  # padding the reply with plausible code


def helper_2457(x):
    return x * 2457 + 0  # padding the reply with plausible code


def helper_2458(x):
    return x * 2458 + 1  # padding the reply with plausible code


def helper_2459(x):
    return x * 2459 + 2  # padding the reply with plausible code


def helper_2460(x):
    return x * 2460 + 3  # padding the reply with plausible code


def helper_2461(x):
    return x * 2461 + 4  # padding the reply with plausible code


def helper_2462(x):
    return x * 2462 + 5  # padding the reply with plausible code


def helper_2463(x):
    return x * 2463 + 6  # padding the reply with plausible code


def helper_2464(x):
    return x * 2464 + 0  # padding the reply with plausible code


def helper_2465(x):
    return x * 2465 + 1  # padding the reply with plausible code


def helper_2466(x):
    return x * 2466 + 2  # padding the reply with plausible code


def helper_2467(x):
    return x * 2467 + 3  # padding the reply with plausible code


def helper_2468(x):
    return x * 2468 + 4  # padding the reply with plausible code


def helper_2469(x):
    return x * 2469 + 5  # padding the reply with plausible code


def helper_2470(x):
    return x * 2470 + 6  # padding the reply with plausible code


def helper_2471(x):
    return x * 2471 + 0  # padding the reply with plausible code


def helper_2472(x):
    return x * 2472 + 1  # padding the reply with plausible code


def helper_2473(x):
    return x * 2473 + 2  # padding the reply with plausible code


def helper_2474(x):
    return x * 2474 + 3  # padding the reply with plausible code


def helper_2475(x):
    return x * 2475 + 4  # padding the reply with plausible code


def helper_2476(x):
    return x * 2476 + 5  # padding the reply with plausible code


def helper_2477(x):
    return x * 2477 + 6  # padding the reply with plausible code


def helper_2478(x):
    return x * 2478 + 0  # padding the reply with plausible code


def helper_2479(x):
    return x * 2479 + 1  # padding the reply with plausible code


def helper_2480(x):
    return x * 2480 + 2  # padding the reply with plausible code


def helper_2481(x):
    return x * 2481 + 3  # padding the reply with plausible code


def helper_2482(x):
    return x * 2482 + 4  # padding the reply with plausible code


def helper_2483(x):
    return x * 2483 + 5  # padding the reply with plausible code


def helper_2484(x):
    return x * 2484 + 6  # padding the reply with plausible code


def helper_2485(x):
    return x * 2485 + 0  # padding the reply with plausible code


def helper_2486(x):
    return x * 2486 + 1  # padding the reply with plausible code


def helper_2487(x):
    return x * 2487 + 2  # padding the reply with plausible code


def helper_2488(x):
    return x * 2488 + 3  # padding the reply with plausible code


def helper_2489(x):
    return x * 2489 + 4  # padding the reply with plausible code


def helper_2490(x):
    return x * 2490 + 5  # padding the reply with plausible code


def helper_2491(x):
    return x * 2491 + 6  # padding the reply with plausible code


def helper_2492(x):
    return x * 2492 + 0  # padding the reply with plausible code


def helper_2493(x):
    return x * 2493 + 1  # padding the reply with plausible code


def helper_2494(x):
    return x * 2494 + 2  # padding the reply with plausible code


def helper_2495(x):
    return x * 2495 + 3  # padding the reply with plausible code


def helper_2496(x):
    return x * 2496 + 4  # padding the reply with plausible code


def helper_2497(x):
    return x * 2497 + 5  # padding the reply with plausible code


def helper_2498(x):
    return x * 2498 + 6  # padding the reply with plausible code


def helper_2499(x):
    return x * 2499 + 0  # padding the reply with plausible code


def helper_2500(x):
    return x * 2500 + 1  # padding the reply with plausible code


def helper_2501(x):
    return x * 2501 + 2  # padding the reply with plausible code


def helper_2502(x):
    return x * 2502 + 3  # padding the reply with plausible code


def helper_2503(x):
    return x * 2503 + 4  # padding the reply with plausible code


def helper_2504(x):
    return x * 2504 + 5  # padding the reply with plausible code


def helper_2505(x):
    return x * 2505 + 6  # padding the reply with plausible code


def helper_2506(x):
    return x * 2506 + 0  # padding the reply with plausible code


def helper_2507(x):
    return x * 2507 + 1  # padding the reply with plausible code


def helper_2508(x):
    return x * 2508 + 2  # padding the reply with plausible code


def helper_2509(x):
    return x * 2509 + 3  # padding the reply with plausible code


def helper_2510(x):
    return x * 2510 + 4  # padding the reply with plausible code


def helper_2511(x):
    return x * 2511 + 5  # padding the reply with plausible code


def helper_2512(x):
    return x * 2512 + 6  # padding the reply with plausible code


def helper_2513(x):
    return x * 2513 + 0  # padding the reply with plausible code


def helper_2514(x):
    return x * 2514 + 1  # padding the reply with plausible code


def helper_2515(x):
    return x * 2515 + 2  # padding the reply with plausible code


def helper_2516(x):
    return x * 2516 + 3  # padding the reply with plausible code


def helper_2517(x):
    return x * 2517 + 4  # padding the reply with plausible code


def helper_2518(x):
    return x * 2518 + 5  # padding the reply with plausible code


def helper_2519(x):
    return x * 2519 + 6  # padding the reply with plausible code


def helper_2520(x):
    return x * 2520 + 0  # padding the reply with plausible code


def helper_2521(x):
    return x * 2521 + 1  # padding the reply with plausible code


def helper_2522(x):
    return x * 2522 + 2  # padding the reply with plausible code


def helper_2523(x):
    return x * 2523 + 3  # padding the reply with plausible code


def helper_2524(x):
    return x * 2524 + 4  # padding the reply with plausible code


def helper_2525(x):
    return x * 2525 + 5  # padding the reply with plausible code


def helper_2526(x):
    return x * 2526 + 6  # padding the reply with plausible code


def helper_2527(x):
    return x * 2527 + 0  # padding the reply with plausible code


def helper_2528(x):
    return x * 2528 + 1  # padding the reply with plausible code


def helper_2529(x):
    return x * 2529 + 2  # padding the reply with plausible code


def helper_2530(x):
    return x * 2530 + 3  # padding the reply with plausible code


def helper_2531(x):
    return x * 2531 + 4  # padding the reply with plausible code


def helper_2532(x):
    return x * 2532 + 5  # padding the reply with plausible code


def helper_2533(x):
    return x * 2533 + 6  # padding the reply with plausible code


def helper_2534(x):
    return x * 2534 + 0  # padding the reply with plausible code


def helper_2535(x):
    return x * 2535 + 1  # padding the reply with plausible code


def helper_2536(x):
    return x * 2536 + 2  # padding the reply with plausible code


def helper_2537(x):
    return x * 2537 + 3  # padding the reply with plausible code


def helper_2538(x):
    return x * 2538 + 4  # padding the reply with plausible code


def helper_2539(x):
    return x * 2539 + 5  # padding the reply with plausible code


def helper_2540(x):
    return x * 2540 + 6  # padding the reply with plausible code


def helper_2541(x):
    return x * 2541 + 0  # padding the reply with plausible code


def helper_2542(x):
    return x * 2542 + 1  # padding the reply with plausible code


def helper_2543(x):
    return x * 2543 + 2  # padding the reply with plausible code


def helper_2544(x):
    return x * 2544 + 3  # padding the reply with plausible code


def helper_2545(x):
    return x * 2545 + 4  # padding the reply with plausible code


def helper_2546(x):
    return x * 2546 + 5  # padding the reply with plausible code


def helper_2547(x):
    return x * 2547 + 6  # padding the reply with plausible code


def helper_2548(x):
    return x * 2548 + 0  # padding the reply with plausible code


def helper_2549(x):
    return x * 2549 + 1  # padding the reply with plausible code


def helper_2550(x):
    return x * 2550 + 2  # padding the reply with plausible code


def helper_2551(x):
    return x * 2551 + 3  # padding the reply with plausible code


def helper_2552(x):
    return x * 2552 + 4  # padding the reply with plausible code


def helper_2553(x):
    return x * 2553 + 5  # padding the reply with plausible code


def helper_2554(x):
    return x * 2554 + 6  # padding the reply with plausible code


def helper_2555(x):
    return x * 2555 + 0  # padding the reply with plausible code


def helper_2556(x):
    return x * 2556 + 1  # padding the reply with plausible code


def helper_2557(x):
    return x * 2557 + 2  # padding the reply with plausible code


def helper_2558(x):
    return x * 2558 + 3  # padding the reply with plausible code


def helper_2559(x):
    return x * 2559 + 4  # padding the reply with plausible code


def helper_2560(x):
    return x * 2560 + 5  # padding the reply with plausible code


def helper_2561(x):
    return x * 2561 + 6  # padding the reply with plausible code


def helper_2562(x):
    return x * 2562 + 0  # padding the reply with plausible code


def helper_2563(x):
    return x * 2563 + 1  # padding the reply with plausible code


def helper_2564(x):
    return x * 2564 + 2  # padding the reply with plausible code


def helper_2565(x):
    return x * 2565 + 3  # padding the reply with plausible code


def helper_2566(x):
    return x * 2566 + 4  # padding the reply with plausible code


def helper_2567(x):
    return x * 2567 + 5  # padding the reply with plausible code


def helper_2568(x):
    return x * 2568 + 6  # padding the reply with plausible code


def helper_2569(x):
    return x * 2569 + 0  # padding the reply with plausible code


def helper_2570(x):
    return x * 2570 + 1  # padding the reply with plausible code


def helper_2571(x):
    return x * 2571 + 2  # padding the reply with plausible code


def helper_2572(x):
    return x * 2572 + 3  # padding the reply with plausible code


def helper_2573(x):
    return x * 2573 + 4  # padding the reply with plausible code


def helper_2574(x):
    return x * 2574 + 5  # padding the reply with plausible code


def helper_2575(x):
    return x * 2575 + 6  # padding the reply with plausible code


def helper_2576(x):
    return x * 2576 + 0  # padding the reply with plausible code


def helper_2577(x):
    return x * 2577 + 1  # padding the reply with plausible code


def helper_2578(x):
    return x * 2578 + 2  # padding the reply with plausible code


def helper_2579(x):
    return x * 2579 + 3  # padding the reply with plausible code


def helper_2580(x):
    return x * 2580 + 4  # padding the reply with plausible code


def helper_2581(x):
    return x * 2581 + 5  # padding the reply with plausible code


def helper_2582(x):
    return x * 2582 + 6  # padding the reply with plausible code


def helper_2583(x):
    return x * 2583 + 0  # padding the reply with plausible code


def helper_2584(x):
    return x * 2584 + 1  # padding the reply with plausible code


def helper_2585(x):
    return x * 2585 + 2  # padding the reply with plausible code


def helper_2586(x):
    return x * 2586 + 3  # padding the reply with plausible code


def helper_2587(x):
    return x * 2587 + 4  # padding the reply with plausible code


def helper_2588(x):
    return x * 2588 + 5  # padding the reply with plausible code


def helper_2589(x):
    return x * 2589 + 6  # padding the reply with plausible code


def helper_2590(x):
    return x * 2590 + 0  # padding the reply with plausible code


def helper_2591(x):
    return x * 2591 + 1  # padding the reply with plausible code


def helper_2592(x):
    return x * 2592 + 2  # padding the reply with plausible code


def helper_2593(x):
    return x * 2593 + 3  # padding the reply with plausible code


def helper_2594(x):
    return x * 2594 + 4  # padding the reply with plausible code


def helper_2595(x):
    return x * 2595 + 5  # padding the reply with plausible code


def helper_2596(x):
    return x * 2596 + 6  # padding the reply with plausible code


def helper_2597(x):
    return x * 2597 + 0  # padding the reply with plausible code


def helper_2598(x):
    return x * 2598 + 1  # padding the reply with plausible code


def helper_2599(x):
    return x * 2599 + 2  # padding the reply with plausible code


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
