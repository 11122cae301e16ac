// A C reference for the keyed cache's cost (npm run bench builds and runs it when gcc is
// there): the same exact LRU as src/cache/result-cache.ts (open-addressing index of
// (key, slot), doubly linked recency list, expiry) with 10^6 entries under Zipf(0.9) keys
// over N ids drawn as infersim draws them (rejection-inversion); prints the draw and the
// cache operations per request in ns. It bounds what any implementation pays on this
// machine for the memory reads of a 10^6-entry cache. Usage: cache-lru N
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <math.h>
#include <time.h>
#define CAP 1000000
static int32_t *idx; static uint32_t mask; static int shift;
static int32_t *skey, *prv, *nxt; static double *exp_; static int head=-1, tail=-1, nfree; static int32_t *freel;
static inline uint32_t home(int32_t k){ return ((uint32_t)k * 0x9e3779b1u) >> shift; }
static int find(int32_t k){ uint32_t i=home(k); for(;;){ if(idx[2*i]==k) return idx[2*i+1]; if(idx[2*i]==-1) return -1; i=(i+1)&mask; } }
static void unlink_(int s){ int p=prv[s], n=nxt[s]; if(p>=0) nxt[p]=n; else head=n; if(n>=0) prv[n]=p; else tail=p; }
static void linkhead(int s){ prv[s]=-1; nxt[s]=head; if(head>=0) prv[head]=s; else tail=s; head=s; }
static void delidx(int32_t k){ uint32_t i=home(k); while(idx[2*i]!=k) i=(i+1)&mask; uint32_t j=i; for(;;){ j=(j+1)&mask; int32_t kk=idx[2*j]; if(kk==-1) break; uint32_t h=home(kk); int stays = i<=j ? (i<h && h<=j) : (i<h || h<=j); if(!stays){ idx[2*i]=kk; idx[2*i+1]=idx[2*j+1]; i=j; } } idx[2*i]=-1; }
static void insidx(int32_t k,int s){ uint32_t i=home(k); while(idx[2*i]!=-1) i=(i+1)&mask; idx[2*i]=k; idx[2*i+1]=s; }
// zipf by rejection-inversion (Hormann-Derflinger), as infersim
static double S; static double hI(double x){ double l=log(x); double t=(1-S)*l; return (fabs(t)>1e-8? expm1(t)/t : 1)*l; }
static double hh(double x){ return exp(-S*log(x)); }
static double hInv(double x){ double t=x*(1-S); if(t<-1)t=-1; return exp((fabs(t)>1e-8? log1p(t)/t:1)*x); }
static uint64_t rs=88172645463325252ull; static double unif(){ rs^=rs<<13; rs^=rs>>7; rs^=rs<<17; return (rs>>11)*(1.0/9007199254740992.0); }
int main(int argc,char**argv){ if(argc<2){ fprintf(stderr,"usage: cache-lru N\n"); return 2; } int N=atoi(argv[1]); S=0.9; long R=12000000;
  int bits=2; while((1u<<bits)<2u*CAP) bits++; mask=(1u<<bits)-1; shift=32-bits; idx=malloc(8ul<<bits); for(uint32_t i=0;i<=mask;i++) idx[2*i]=-1;
  skey=malloc(4*CAP); prv=malloc(4*CAP); nxt=malloc(4*CAP); exp_=malloc(8*CAP); freel=malloc(4*CAP); for(int i=0;i<CAP;i++) freel[i]=CAP-1-i; nfree=CAP;
  int32_t *keys=malloc(4*R); double hX1=hI(1.5)-1, hN=hI(N+0.5), sq=2-hInv(hI(2.5)-hh(2));
  struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
  for(long r=0;r<R;r++){ for(;;){ double u=hN+unif()*(hX1-hN); double x=hInv(u); long k=(long)floor(x+0.5); if(k<1)k=1; else if(k>N)k=N; if(k-x<=sq || u>=hI(k+0.5)-hh(k)){ keys[r]=k-1; break; } } }
  clock_gettime(CLOCK_MONOTONIC,&b); double tz=(b.tv_sec-a.tv_sec)+(b.tv_nsec-a.tv_nsec)*1e-9;
  long hits=0; double now=0; clock_gettime(CLOCK_MONOTONIC,&a);
  for(long r=0;r<R;r++){ now+=1e-4; int32_t k=keys[r]; int s=find(k);
    if(s>=0 && now<exp_[s]){ if(s!=head){unlink_(s); linkhead(s);} hits++; continue; }
    if(s>=0){ delidx(k); unlink_(s); freel[nfree++]=s; }
    if(nfree==0){ int t=tail; delidx(skey[t]); unlink_(t); freel[nfree++]=t; }
    s=freel[--nfree]; skey[s]=k; insidx(k,s); linkhead(s); exp_[s]=now+3600; }
  clock_gettime(CLOCK_MONOTONIC,&b); double tc=(b.tv_sec-a.tv_sec)+(b.tv_nsec-a.tv_nsec)*1e-9;
  printf("C: zipf over %d keys: draw %.1f ns, cache ops %.1f ns per request, hit rate %.4f\n", N, tz/R*1e9, tc/R*1e9, (double)hits/R);
  return 0; }
